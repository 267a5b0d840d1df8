package dev.etcdoperator.pki;

import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.NoSuchAlgorithmException;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Date;
import java.util.Objects;
import org.bouncycastle.asn1.ASN1OctetString;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.AuthorityKeyIdentifier;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.asn1.x509.SubjectKeyIdentifier;
import org.bouncycastle.cert.CertIOException;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * One cluster's certificate authority: a self-signed CA certificate and its key, able to sign leaves.
 *
 * <p>Every certificate is signed with SHA-256 and whatever key the CA has (ECDSA or RSA), independently of the
 * leaf's own key algorithm. Times come from the injected {@link Clock}; notBefore is backdated by {@link #BACKDATE}
 * so a member whose clock runs a little behind the operator's does not reject a certificate that was just issued.
 * {@link #toString()} names the CA, never its key.
 */
public final class CertificateAuthority {

  /** How far notBefore is set back from "now" to absorb clock skew between operator, members and clients. */
  public static final Duration BACKDATE = Duration.ofMinutes(5);
  private static final int SERIAL_BYTES = 16;

  private final X509Certificate certificate;
  private final PrivateKey privateKey;
  private final Clock clock;
  private final SecureRandom random;
  private final CertificateInfo info;
  // every reconcile of the cluster compares and bundles it: encoded once
  private final String certificatePem;

  private CertificateAuthority(X509Certificate certificate, PrivateKey privateKey, Clock clock, SecureRandom random) {
    this.certificate = certificate;
    this.privateKey = privateKey;
    this.clock = clock;
    this.random = random;
    this.info = CertificateInfo.of(certificate);
    this.certificatePem = PemCodec.certificatePem(certificate);
  }

  /**
   * A new CA: basicConstraints CA:TRUE with pathLen 0 (it signs leaves only), keyUsage keyCertSign and cRLSign.
   *
   * @param commonName e.g. {@code <cluster>-ca}
   */
  public static CertificateAuthority create(String commonName, KeyAlgorithm algorithm, Duration validity,
      Clock clock) {
    return create(commonName, algorithm, validity, clock, new SecureRandom());
  }

  public static CertificateAuthority create(String commonName, KeyAlgorithm algorithm, Duration validity,
      Clock clock, SecureRandom random) {
    Objects.requireNonNull(commonName, "commonName");
    Objects.requireNonNull(algorithm, "algorithm");
    Objects.requireNonNull(clock, "clock");
    Objects.requireNonNull(random, "random");
    if (commonName.isBlank() || commonName.length() > LeafRequest.MAX_COMMON_NAME) {
      throw new IllegalArgumentException("CA commonName must be 1-" + LeafRequest.MAX_COMMON_NAME
          + " characters, got '" + commonName + "'");
    }
    if (validity == null || validity.isNegative() || validity.isZero()) {
      throw new IllegalArgumentException("CA validity must be positive, got " + validity);
    }
    KeyPair keys = algorithm.generate(random);
    Instant now = clock.instant();
    X500Name name = commonNameOnly(commonName);
    X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(name, serial(random),
        toDate(now.minus(BACKDATE)), toDate(now.plus(validity)), name, keys.getPublic());
    try {
      JcaX509ExtensionUtils ids = new JcaX509ExtensionUtils();
      builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(0));
      builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
      builder.addExtension(Extension.subjectKeyIdentifier, false, ids.createSubjectKeyIdentifier(keys.getPublic()));
    } catch (CertIOException | NoSuchAlgorithmException e) {
      throw new IllegalStateException("cannot build CA certificate extensions", e);
    }
    X509Certificate certificate = sign(builder, keys.getPrivate(), random);
    return new CertificateAuthority(certificate, keys.getPrivate(), clock, random);
  }

  /**
   * A CA stored earlier (the first certificate of {@code certificatePem}, and a PKCS#8, PKCS#1 or SEC1 key).
   *
   * @throws PemFormatException       if either PEM is unreadable
   * @throws IllegalArgumentException if the certificate is not a CA or the key does not belong to it
   */
  public static CertificateAuthority fromPem(String certificatePem, String privateKeyPem, Clock clock) {
    Objects.requireNonNull(clock, "clock");
    X509Certificate certificate = PemCodec.firstCertificate(certificatePem);
    PrivateKey key = PemCodec.privateKey(privateKeyPem);
    CertificateInfo info = CertificateInfo.of(certificate);
    if (!info.isCa()) {
      throw new IllegalArgumentException("certificate " + info.describe() + " is not a CA (basicConstraints)");
    }
    boolean[] keyUsage = certificate.getKeyUsage();
    if (keyUsage != null && !keyUsage[5]) {
      throw new IllegalArgumentException("CA certificate " + info.describe() + " lacks keyUsage keyCertSign");
    }
    KeyPairMatch.mismatch(key, certificate.getPublicKey()).ifPresent(why -> {
      throw new IllegalArgumentException("the CA private key " + why + " (" + info.describe() + ")");
    });
    return new CertificateAuthority(certificate, key, clock, new SecureRandom());
  }

  /**
   * Signs a new leaf with a fresh key. Validity runs from now (backdated) for {@code request.validity()}, clipped
   * to the CA's own validity: a leaf that outlives its CA could not be verified after the CA expires anyway.
   *
   * @throws IllegalStateException if the CA is expired or not yet valid
   */
  public IssuedCertificate issue(LeafRequest request) {
    Objects.requireNonNull(request, "request");
    Instant now = clock.instant();
    if (!info.isValidAt(now)) {
      throw new IllegalStateException("CA " + info.describe() + " is valid only from " + info.notBefore()
          + " to " + info.notAfter() + " (now " + now + "); rotate the CA before issuing");
    }
    Instant notBefore = latest(now.minus(BACKDATE), info.notBefore());
    Instant notAfter = earliest(now.plus(request.validity()), info.notAfter());
    KeyPair keys = request.keyAlgorithm().generate(random);
    X500Name issuer = X500Name.getInstance(certificate.getSubjectX500Principal().getEncoded());
    X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(issuer, serial(random),
        toDate(notBefore), toDate(notAfter), commonNameOnly(request.commonName()), keys.getPublic());
    try {
      JcaX509ExtensionUtils ids = new JcaX509ExtensionUtils();
      builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
      int usage = KeyUsage.digitalSignature | (request.keyAlgorithm().isRsa() ? KeyUsage.keyEncipherment : 0);
      builder.addExtension(Extension.keyUsage, true, new KeyUsage(usage));
      builder.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(
          request.usages().stream().map(ExtendedUsage::purpose).toArray(KeyPurposeId[]::new)));
      if (!request.dnsNames().isEmpty() || !request.ipAddresses().isEmpty()) {
        builder.addExtension(Extension.subjectAlternativeName, false, subjectAltNames(request));
      }
      builder.addExtension(Extension.subjectKeyIdentifier, false, ids.createSubjectKeyIdentifier(keys.getPublic()));
      builder.addExtension(Extension.authorityKeyIdentifier, false, authorityKeyIdentifier(ids));
    } catch (CertIOException | NoSuchAlgorithmException e) {
      throw new IllegalStateException("cannot build certificate extensions for CN=" + request.commonName(), e);
    }
    X509Certificate leaf = sign(builder, privateKey, random);
    return new IssuedCertificate(PemCodec.certificatePem(leaf), PemCodec.privateKeyPem(keys.getPrivate()),
        leaf.getNotBefore().toInstant(), leaf.getNotAfter().toInstant(), leaf.getSerialNumber().toString(16));
  }

  /** Whether this CA signed the certificate (the first of {@code certificatePem}): its signature verifies. */
  public boolean signed(String certificatePem) {
    try {
      X509Certificate leaf = PemCodec.certificates(certificatePem).get(0);
      leaf.verify(certificate.getPublicKey());
      return true;
    } catch (java.security.GeneralSecurityException | RuntimeException e) {
      return false;
    }
  }

  /** The CA certificate, for {@code ca.crt} (and, during rotation, a {@link PemBundle}). */
  public String certificatePem() {
    return certificatePem;
  }

  /** The CA certificate itself, for a trust store. */
  public X509Certificate certificate() {
    return certificate;
  }

  /** The CA key as PKCS#8 PEM: for the CA's own Secret only, which is never mounted into pods. */
  public String privateKeyPem() {
    return PemCodec.privateKeyPem(privateKey);
  }

  public CertificateInfo info() {
    return info;
  }

  @Override
  public String toString() {
    return "CertificateAuthority[" + info.describe() + ", notAfter=" + info.notAfter() + "]";
  }

  /**
   * Points at the CA by key identifier only: an issuer name + serial form would tie leaves to one CA certificate
   * and break chains after the CA certificate is re-signed with the same key.
   */
  private AuthorityKeyIdentifier authorityKeyIdentifier(JcaX509ExtensionUtils ids) {
    byte[] extension = certificate.getExtensionValue(Extension.subjectKeyIdentifier.getId());
    if (extension == null) {
      return ids.createAuthorityKeyIdentifier(certificate.getPublicKey());
    }
    byte[] keyId = SubjectKeyIdentifier.getInstance(ASN1OctetString.getInstance(extension).getOctets())
        .getKeyIdentifier();
    return new AuthorityKeyIdentifier(keyId);
  }

  private static GeneralNames subjectAltNames(LeafRequest request) {
    GeneralName[] names = new GeneralName[request.dnsNames().size() + request.ipAddresses().size()];
    int i = 0;
    for (String dns : request.dnsNames()) {
      names[i++] = new GeneralName(GeneralName.dNSName, dns);
    }
    for (String ip : request.ipAddresses()) {
      names[i++] = new GeneralName(GeneralName.iPAddress, ip);
    }
    return new GeneralNames(names);
  }

  private static X509Certificate sign(X509v3CertificateBuilder builder, PrivateKey signingKey, SecureRandom random) {
    try {
      ContentSigner signer = new JcaContentSignerBuilder(KeyPairMatch.signatureAlgorithm(signingKey))
          .setSecureRandom(random).build(signingKey);
      return new JcaX509CertificateConverter().getCertificate(builder.build(signer));
    } catch (OperatorCreationException | GeneralSecurityException e) {
      throw new IllegalStateException("cannot sign certificate: " + e.getMessage(), e);
    }
  }

  /** A CN-only name, built attribute by attribute so no character of the CN needs escaping. */
  private static X500Name commonNameOnly(String commonName) {
    return new X500NameBuilder(BCStyle.INSTANCE).addRDN(BCStyle.CN, commonName).build();
  }

  /** Random, positive, non-zero, up to 128 bits (RFC 5280 allows 20 octets; CAs/B Forum wants 64+ random bits). */
  private static BigInteger serial(SecureRandom random) {
    byte[] bytes = new byte[SERIAL_BYTES];
    BigInteger serial;
    do {
      random.nextBytes(bytes);
      serial = new BigInteger(1, bytes);
    } while (serial.signum() == 0);
    return serial;
  }

  /** X.509 times have whole seconds; truncating here keeps IssuedCertificate equal to what parsing reports. */
  private static Date toDate(Instant instant) {
    return Date.from(instant.truncatedTo(ChronoUnit.SECONDS));
  }

  private static Instant latest(Instant a, Instant b) {
    return a.isAfter(b) ? a : b;
  }

  private static Instant earliest(Instant a, Instant b) {
    return a.isBefore(b) ? a : b;
  }
}
