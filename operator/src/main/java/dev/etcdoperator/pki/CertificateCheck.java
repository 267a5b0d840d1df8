package dev.etcdoperator.pki;

import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.cert.CertPath;
import java.security.cert.CertPathValidator;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateFactory;
import java.security.cert.PKIXCertPathValidatorResult;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * Checks user-supplied TLS material ({@code spec.tls.mode: External}, cert-manager's Secret layout) before etcd
 * gets it, so a misfit shows up as a condition with a precise reason instead of members that never form a
 * cluster. Every problem is one sentence naming the Secret key it concerns; no problem means an empty list.
 *
 * <p>Checks: each PEM parses; the key belongs to the certificate; the certificate (plus any intermediates that
 * follow it in {@code tls.crt}) chains to a CA of {@code ca.crt}; certificates and the anchoring CA are within their
 * validity now; required extended usages are present and keyUsage allows TLS signatures; the SANs cover every
 * required name (wildcards as TLS matches them). Messages never contain key material.
 */
public final class CertificateCheck {

  public static final String CA_CERT = "ca.crt";
  public static final String TLS_CERT = "tls.crt";
  public static final String TLS_KEY = "tls.key";

  private CertificateCheck() {
  }

  /**
   * @param requiredDnsNames names clients use to reach the holder; IP literals among them are matched against IP
   *                         SANs
   */
  public static List<String> problems(String caPem, String certPem, String keyPem,
      Set<ExtendedUsage> requiredUsages, List<String> requiredDnsNames, Clock clock) {
    List<String> problems = new ArrayList<>();
    Optional<PemBundle> cas = parse(CA_CERT, "PEM certificate bundle", caPem, () -> PemBundle.parse(caPem),
        problems);
    Optional<List<X509Certificate>> chain = parse(TLS_CERT, "PEM certificate", certPem,
        () -> PemCodec.certificates(certPem), problems);
    Optional<PrivateKey> key = parse(TLS_KEY, "PEM private key", keyPem, () -> PemCodec.privateKey(keyPem),
        problems);
    if (chain.isEmpty()) {
      return List.copyOf(problems);
    }
    X509Certificate leaf = chain.get().get(0);
    CertificateInfo leafInfo = CertificateInfo.of(leaf);
    String leafName = "the certificate in " + TLS_CERT + " (" + leafInfo.describe() + ")";
    Instant now = clock.instant();

    key.flatMap(k -> KeyPairMatch.mismatch(k, leaf.getPublicKey()))
        .ifPresent(why -> problems.add(TLS_KEY + " " + why + " (" + TLS_CERT + ": " + leafInfo.describe() + ")"));
    for (int i = 0; i < chain.get().size(); i++) {
      CertificateInfo info = CertificateInfo.of(chain.get().get(i));
      validity(i == 0 ? leafName : "the intermediate certificate in " + TLS_CERT + " (" + info.describe() + ")",
          info, now).ifPresent(problems::add);
    }
    cas.ifPresent(bundle -> chainProblem(bundle, chain.get(), leafInfo, leafName, now).ifPresent(problems::add));
    usageProblem(leaf, leafInfo, leafName, requiredUsages).ifPresent(problems::add);
    sanProblem(leafInfo, leafName, requiredDnsNames).ifPresent(problems::add);
    return List.copyOf(problems);
  }

  private static <T> Optional<T> parse(String secretKey, String what, String pem, Supplier<T> parser,
      List<String> problems) {
    if (pem == null || pem.isBlank()) {
      problems.add(secretKey + " is missing or empty");
      return Optional.empty();
    }
    try {
      return Optional.of(parser.get());
    } catch (PemFormatException e) {
      problems.add(secretKey + " is not a readable " + what + ": " + e.getMessage());
      return Optional.empty();
    }
  }

  private static Optional<String> validity(String name, CertificateInfo info, Instant now) {
    if (now.isAfter(info.notAfter())) {
      return Optional.of(name + " expired at " + info.notAfter() + " (now " + now + ")");
    }
    if (now.isBefore(info.notBefore())) {
      return Optional.of(name + " is not valid before " + info.notBefore() + " (now " + now + ")");
    }
    return Optional.empty();
  }

  /** PKIX path validation against ca.crt; its own date is chosen so that expiry is reported once, above. */
  private static Optional<String> chainProblem(PemBundle cas, List<X509Certificate> chain, CertificateInfo leafInfo,
      String leafName, Instant now) {
    List<X509Certificate> anchors = cas.x509Certificates();
    String caNames = cas.certificates().stream().map(c -> "CN=" + c.subjectCommonName())
        .collect(Collectors.joining(", "));
    // Some tls.crt files end with the root itself; a path must stop below its anchor.
    List<X509Certificate> path = chain.stream().filter(c -> !anchors.contains(c)).toList();
    if (path.isEmpty()) {
      return Optional.empty();
    }
    try {
      PKIXParameters parameters = new PKIXParameters(
          anchors.stream().map(c -> new TrustAnchor(c, null)).collect(Collectors.toSet()));
      parameters.setRevocationEnabled(false); // no CRL/OCSP for a cluster-private CA
      parameters.setDate(Date.from(validationInstant(path, now)));
      CertPath certPath = CertificateFactory.getInstance("X.509").generateCertPath(path);
      PKIXCertPathValidatorResult result =
          (PKIXCertPathValidatorResult) CertPathValidator.getInstance("PKIX").validate(certPath, parameters);
      CertificateInfo anchor = CertificateInfo.of(result.getTrustAnchor().getTrustedCert());
      return validity("the CA in " + CA_CERT + " that signed " + TLS_CERT + " (" + anchor.describe() + ")",
          anchor, now);
    } catch (CertPathValidatorException e) {
      return Optional.of(leafName + ", issued by CN=" + leafInfo.issuerCommonName()
          + ", does not verify against " + CA_CERT + " (" + caNames + "): " + e.getMessage());
    } catch (GeneralSecurityException e) {
      return Optional.of(leafName + " cannot be checked against " + CA_CERT + ": " + e.getMessage());
    }
  }

  /** Now if every certificate of the path is valid now, else an instant where all are (expiry is its own problem). */
  private static Instant validationInstant(List<X509Certificate> path, Instant now) {
    Instant from = path.stream().map(c -> c.getNotBefore().toInstant()).max(Instant::compareTo).orElseThrow();
    Instant to = path.stream().map(c -> c.getNotAfter().toInstant()).min(Instant::compareTo).orElseThrow();
    boolean allValidNow = !now.isBefore(from) && !now.isAfter(to);
    if (allValidNow || from.isAfter(to)) {
      return now;
    }
    return from;
  }

  private static Optional<String> usageProblem(X509Certificate leaf, CertificateInfo info, String leafName,
      Set<ExtendedUsage> required) {
    List<String> sentences = new ArrayList<>();
    Set<ExtendedUsage> missing = EnumSet.noneOf(ExtendedUsage.class);
    missing.addAll(required);
    missing.removeAll(info.extendedUsages());
    if (!missing.isEmpty()) {
      sentences.add("lacks the extended key usage " + names(missing) + " (it has "
          + (info.extendedUsages().isEmpty() ? "none of serverAuth/clientAuth" : names(info.extendedUsages()))
          + ")");
    }
    boolean[] keyUsage = leaf.getKeyUsage();
    if (keyUsage != null && !keyUsage[0]) {
      sentences.add("has a keyUsage without digitalSignature, which TLS handshakes need");
    }
    return sentences.isEmpty() ? Optional.empty() : Optional.of(leafName + " " + String.join(" and ", sentences));
  }

  private static Optional<String> sanProblem(CertificateInfo info, String leafName, List<String> required) {
    List<String> missing = required.stream()
        .filter(name -> !NameCoverage.covers(info.dnsNames(), info.ipAddresses(), name))
        .toList();
    if (missing.isEmpty()) {
      return Optional.empty();
    }
    List<String> sans = new ArrayList<>(info.dnsNames());
    sans.addAll(info.ipAddresses());
    return Optional.of(leafName + " has no subject alternative name for " + String.join(", ", missing)
        + (sans.isEmpty() ? " (it has no SANs)" : " (its SANs: " + String.join(", ", sans) + ")"));
  }

  private static String names(Set<ExtendedUsage> usages) {
    return usages.stream().map(ExtendedUsage::rfcName).collect(Collectors.joining(" and "));
  }
}
