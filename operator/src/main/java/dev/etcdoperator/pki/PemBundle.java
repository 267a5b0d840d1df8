package dev.etcdoperator.pki;

import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A set of CA certificates for a trust file ({@code ca.crt}, etcd's {@code --trusted-ca-file}). During CA rotation
 * members and clients must trust the old and the new CA at once; this builds that file and takes it apart again.
 *
 * <p>Immutable. Certificates keep the order they were first seen in; a certificate that appears twice (same DER)
 * is kept once, so adding the same CA again is harmless.
 */
public final class PemBundle {

  /** Keyed by SHA-256 fingerprint, valued by canonical PEM. */
  private final Map<String, String> certificates;

  private PemBundle(Map<String, String> certificates) {
    if (certificates.isEmpty()) {
      throw new IllegalArgumentException("a CA bundle needs at least one certificate");
    }
    this.certificates = certificates;
  }

  /**
   * Every certificate of one PEM text (e.g. a {@code ca.crt} as stored).
   *
   * @throws PemFormatException if the text holds anything but certificates, or none
   */
  public static PemBundle parse(String pem) {
    return of(pem);
  }

  /** The certificates of all the given PEM texts together, in order, without duplicates. */
  public static PemBundle of(String... pems) {
    return ofAll(List.of(pems));
  }

  public static PemBundle ofAll(Collection<String> pems) {
    Map<String, String> byFingerprint = new LinkedHashMap<>();
    for (String pem : pems) {
      addAll(byFingerprint, pem);
    }
    return new PemBundle(byFingerprint);
  }

  /** This bundle plus the certificates of {@code pem} (the trust-both phase of a CA rotation). */
  public PemBundle plus(String pem) {
    Map<String, String> result = new LinkedHashMap<>(certificates);
    addAll(result, pem);
    return new PemBundle(result);
  }

  /**
   * This bundle without the certificates of {@code pem} (the drop-old phase of a CA rotation).
   *
   * @throws IllegalArgumentException if nothing would be left
   */
  public PemBundle without(String pem) {
    Map<String, String> result = new LinkedHashMap<>(certificates);
    Map<String, String> removed = new LinkedHashMap<>();
    addAll(removed, pem);
    result.keySet().removeAll(removed.keySet());
    return new PemBundle(result);
  }

  /** Whether every certificate of {@code pem} is in this bundle. */
  public boolean contains(String pem) {
    Map<String, String> wanted = new LinkedHashMap<>();
    addAll(wanted, pem);
    return certificates.keySet().containsAll(wanted.keySet());
  }

  public int size() {
    return certificates.size();
  }

  /** The certificates, one PEM block each, in bundle order. */
  public List<String> certificatePems() {
    return List.copyOf(certificates.values());
  }

  public List<CertificateInfo> certificates() {
    return certificates.values().stream().map(CertificateInfo::parse).toList();
  }

  /** The whole bundle as one PEM text, ready for {@code ca.crt}. */
  public String pem() {
    return String.join("", certificates.values());
  }

  List<X509Certificate> x509Certificates() {
    List<X509Certificate> result = new ArrayList<>();
    certificates.values().forEach(pem -> result.add(PemCodec.firstCertificate(pem)));
    return result;
  }

  @Override
  public boolean equals(Object other) {
    // Order matters: it is part of the file's text, and a changed text means a changed Secret.
    return other instanceof PemBundle bundle
        && List.copyOf(certificates.keySet()).equals(List.copyOf(bundle.certificates.keySet()));
  }

  @Override
  public int hashCode() {
    return Objects.hash(List.copyOf(certificates.keySet()));
  }

  @Override
  public String toString() {
    return "PemBundle" + certificates().stream().map(CertificateInfo::describe).toList();
  }

  private static void addAll(Map<String, String> into, String pem) {
    for (X509Certificate certificate : PemCodec.certificates(pem)) {
      into.putIfAbsent(CertificateInfo.of(certificate).sha256Fingerprint(), PemCodec.certificatePem(certificate));
    }
  }
}
