package dev.etcdoperator.pki;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.CertificateEncodingException;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import javax.security.auth.x500.X500Principal;
import org.bouncycastle.asn1.x500.RDN;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x500.style.IETFUtils;
import org.bouncycastle.asn1.x509.KeyPurposeId;

/**
 * The facts about one certificate the operator acts on: expiry for status and renewal, names and usages for
 * validating user-supplied certificates.
 *
 * @param subjectCommonName the subject CN, empty if the subject has none
 * @param issuerCommonName  the issuer CN, empty if the issuer has none
 * @param serial            serial number, lower-case hex
 * @param ipAddresses       IP SANs in canonical text form
 * @param isCa              basicConstraints CA:TRUE
 * @param extendedUsages    the TLS roles the certificate may play; both when it has no extendedKeyUsage extension
 *                          or allows anyExtendedKeyUsage (RFC 5280: no restriction)
 * @param keyAlgorithm      the public key's algorithm if it is one the operator issues
 * @param sha256Fingerprint SHA-256 of the DER encoding, lower-case hex: identifies a certificate across renewals
 */
public record CertificateInfo(String subjectCommonName, String issuerCommonName, String serial, Instant notBefore,
    Instant notAfter, List<String> dnsNames, List<String> ipAddresses, boolean isCa,
    Set<ExtendedUsage> extendedUsages, Optional<KeyAlgorithm> keyAlgorithm, String sha256Fingerprint) {

  private static final int SAN_DNS = 2;
  private static final int SAN_IP = 7;

  public CertificateInfo {
    Objects.requireNonNull(notBefore, "notBefore");
    Objects.requireNonNull(notAfter, "notAfter");
    dnsNames = List.copyOf(dnsNames);
    ipAddresses = List.copyOf(ipAddresses);
    extendedUsages = extendedUsages.isEmpty() ? Set.of()
        : Collections.unmodifiableSet(EnumSet.copyOf(extendedUsages));
  }

  /**
   * The first certificate of {@code pem} (a chain file starts with the leaf).
   *
   * @throws PemFormatException if {@code pem} holds no readable certificate
   */
  public static CertificateInfo parse(String pem) {
    return of(PemCodec.firstCertificate(pem));
  }

  /** Every certificate of {@code pem}, in order. */
  public static List<CertificateInfo> parseAll(String pem) {
    return PemCodec.certificates(pem).stream().map(CertificateInfo::of).toList();
  }

  static CertificateInfo of(X509Certificate certificate) {
    List<String> dns = new ArrayList<>();
    List<String> ips = new ArrayList<>();
    try {
      Collection<List<?>> sans = certificate.getSubjectAlternativeNames();
      for (List<?> san : sans == null ? List.<List<?>>of() : sans) {
        int type = (Integer) san.get(0);
        if (type == SAN_DNS) {
          dns.add((String) san.get(1));
        } else if (type == SAN_IP) {
          ips.add(IpLiteral.normalize((String) san.get(1)));
        }
      }
    } catch (CertificateParsingException e) {
      throw new PemFormatException("unreadable subjectAltName extension: " + e.getMessage(), e);
    }
    return new CertificateInfo(commonName(certificate.getSubjectX500Principal()),
        commonName(certificate.getIssuerX500Principal()), certificate.getSerialNumber().toString(16),
        certificate.getNotBefore().toInstant(), certificate.getNotAfter().toInstant(), dns, ips,
        certificate.getBasicConstraints() >= 0, extendedUsages(certificate),
        KeyAlgorithm.of(certificate.getPublicKey()), fingerprint(certificate));
  }

  /** notAfter - notBefore. */
  public Duration lifetime() {
    return Duration.between(notBefore, notAfter);
  }

  /** Within [notBefore, notAfter], as TLS checks it. */
  public boolean isValidAt(Instant instant) {
    return !instant.isBefore(notBefore) && !instant.isAfter(notAfter);
  }

  /** "CN=x, serial y", for messages. */
  public String describe() {
    return "CN=" + subjectCommonName + ", serial " + serial;
  }

  private static String commonName(X500Principal principal) {
    RDN[] cns = X500Name.getInstance(principal.getEncoded()).getRDNs(BCStyle.CN);
    return cns.length == 0 ? "" : IETFUtils.valueToString(cns[0].getFirst().getValue());
  }

  private static Set<ExtendedUsage> extendedUsages(X509Certificate certificate) {
    List<String> oids;
    try {
      oids = certificate.getExtendedKeyUsage();
    } catch (CertificateParsingException e) {
      throw new PemFormatException("unreadable extendedKeyUsage extension: " + e.getMessage(), e);
    }
    if (oids == null || oids.contains(KeyPurposeId.anyExtendedKeyUsage.getId())) {
      return EnumSet.allOf(ExtendedUsage.class);
    }
    Set<ExtendedUsage> usages = EnumSet.noneOf(ExtendedUsage.class);
    for (ExtendedUsage usage : ExtendedUsage.values()) {
      if (oids.contains(usage.oid())) {
        usages.add(usage);
      }
    }
    return usages;
  }

  private static String fingerprint(X509Certificate certificate) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(certificate.getEncoded()));
    } catch (NoSuchAlgorithmException | CertificateEncodingException e) {
      throw new IllegalStateException("cannot fingerprint certificate", e);
    }
  }
}
