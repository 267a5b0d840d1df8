package dev.etcdoperator.e2e;

import static org.awaitility.Awaitility.await;

import dev.etcdoperator.api.v1alpha1.EtcdCluster;
import dev.etcdoperator.api.v1alpha1.TlsSpec;
import dev.etcdoperator.config.OperatorConfig;
import io.etcd.jetcd.Client;
import io.fabric8.kubernetes.api.model.Pod;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;

/**
 * Sandbox entry point (a main class, not a test): try the operator with no Kubernetes cluster. Starts the
 * {@code local} backend (the API server stand-in, the StatefulSet/kubelet stand-ins running real etcd processes, the
 * real operator), applies {@code deploy/examples/etcdcluster.yaml} in namespace {@code default} with two changes
 * (version: the local etcd's {@link LocalCluster#ETCD_VERSION}; a client certificate {@code sandbox} in
 * {@code spec.tls.clientCertificates}), waits for {@code Ready}, writes the client certificate to a directory, prints
 * the endpoints and a working {@code etcdctl} command, and runs until interrupted (Ctrl-C), then shuts everything
 * down and checks that no etcd process is left.
 *
 * <p>Run: {@code ./mvnw -q -Psandbox -pl e2e -am verify -DskipTests} (e2e/pom.xml's {@code sandbox} profile passes
 * the system properties: the stand-in's hosts file, work directory, API server jar, CRDs, example file and the
 * certificate directory {@code sandbox.dir}).
 *
 * <p>About names: the member certificates carry the pods' and Services' DNS names and {@code 127.0.0.1}, not the
 * stand-in's per-pod 127.x addresses, and those DNS names exist only in the stand-in's hosts file (which every etcd
 * sees as its {@code /etc/hosts}). So the printed {@code etcdctl} runs in a private mount namespace with that hosts
 * file on {@code /etc/hosts} ({@code unshare --mount}, as the stand-in runs etcd; root needed, as for the stand-in);
 * the host's own {@code /etc/hosts} is never touched.
 */
public final class Sandbox {
  private static final String NAMESPACE = "default";
  private static final String CLIENT_CERTIFICATE = "sandbox";

  private Sandbox() {}

  public static void main(String[] args) {
    try {
      run();
    } catch (Throwable e) {
      System.out.println("sandbox: failed: " + e);
      e.printStackTrace();
      System.exit(1); // runs the shutdown hook, which stops everything started so far
    }
  }

  private static void run() throws Exception {
    Path example = Path.of(System.getProperty("sandbox.example", "../deploy/examples/etcdcluster.yaml"));
    Path certDir = Path.of(System.getProperty("sandbox.dir", "target/sandbox")).toAbsolutePath();
    Path hostsFile = Path.of(System.getProperty("e2e.hosts.file", "target/e2e-dns/hosts")).toAbsolutePath();

    System.out.println("sandbox: starting the Kubernetes API stand-in, the StatefulSet/kubelet stand-ins and the "
        + "operator ...");
    LocalCluster cluster = new LocalCluster("sandbox", NAMESPACE,
        OperatorConfig.DEFAULT_REPLACE_FAILING_MEMBER_AFTER);
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      System.out.println();
      System.out.println("sandbox: stopping the operator, every etcd process and the API server stand-in ...");
      try {
        NoProcessOutlives.closeAndCheck(cluster);
        System.out.println("sandbox: stopped; no etcd process left.");
      } catch (Throwable e) {
        System.out.println("sandbox: shutdown problem: " + e);
      } finally {
        stopped.countDown();
      }
    }, "sandbox-shutdown"));

    Scenario scenario = new Scenario(cluster);
    EtcdCluster etcd;
    try (InputStream in = Files.newInputStream(example)) {
      etcd = cluster.client().resources(EtcdCluster.class).load(in).item();
    }
    String name = etcd.getMetadata().getName();
    etcd.getMetadata().setNamespace(NAMESPACE);
    etcd.getSpec().setVersion(LocalCluster.ETCD_VERSION.toString());
    TlsSpec tls = etcd.getSpec().getTls() == null ? new TlsSpec() : etcd.getSpec().getTls();
    if (tls.getClientCertificates().stream().noneMatch(c -> CLIENT_CERTIFICATE.equals(c.getName()))) {
      TlsSpec.ClientCertificate entry = new TlsSpec.ClientCertificate();
      entry.setName(CLIENT_CERTIFICATE);
      tls.getClientCertificates().add(entry);
    }
    etcd.getSpec().setTls(tls);
    etcd.setStatus(null);
    System.out.println("sandbox: applying " + example.toAbsolutePath().normalize() + " (version "
        + LocalCluster.ETCD_VERSION + ", client certificate '" + CLIENT_CERTIFICATE + "') in namespace "
        + NAMESPACE + " ...");
    scenario.apply(etcd);
    await(name + " Ready").atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofMillis(250))
        .until(() -> Scenario.hasCondition(scenario.get(name), "Ready", "True"));

    // The client certificate files, and a check through the client Service that they work.
    Files.createDirectories(certDir);
    try (Client client = ServiceClient.connect(cluster.client(), NAMESPACE, name, CLIENT_CERTIFICATE, certDir,
        cluster.clientEndpoints(name))) {
      Scenario.join(client.getKVClient().put(Scenario.bytes("/sandbox/hello"), Scenario.bytes("world")));
    }
    Path ca = certDir.resolve("ca.crt");
    Path crt = certDir.resolve("tls.crt");
    Path key = certDir.resolve("tls.key");

    EtcdCluster ready = scenario.get(name);
    int replicas = ready.getSpec().getReplicas() == null ? 3 : ready.getSpec().getReplicas();
    String service = "https://" + name + "." + NAMESPACE + ".svc:2379";
    List<String> members = new ArrayList<>();
    List<String> addresses = new ArrayList<>();
    for (int ordinal = 0; ordinal < replicas; ordinal++) {
      String pod = name + "-" + ordinal;
      members.add("https://" + pod + "." + name + "-peer." + NAMESPACE + ".svc:2379");
      Pod live = scenario.pod(pod);
      addresses.add(pod + " " + (live == null || live.getStatus() == null ? "?" : live.getStatus().getPodIP()));
    }
    String tlsFlags = "--cacert " + ca + " --cert " + crt + " --key " + key;
    String inStandInDns = "unshare --mount sh -c 'mount --bind " + hostsFile + " /etc/hosts && exec etcdctl "
        + "--endpoints " + service + " " + tlsFlags + " ";

    System.out.println();
    System.out.println("sandbox: EtcdCluster " + NAMESPACE + "/" + name + " is Ready (" + replicas + " members, etcd "
        + LocalCluster.ETCD_VERSION + ").");
    System.out.println("  client endpoint (client Service): " + service);
    System.out.println("  member endpoints:                  " + String.join(",", members));
    System.out.println("  pod addresses:                     " + String.join(", ", addresses));
    System.out.println("  CA certificate:                    " + ca);
    System.out.println("  client certificate:                " + crt);
    System.out.println("  client key:                        " + key);
    System.out.println("  stand-in DNS (hosts file):         " + hostsFile);
    System.out.println("  pod logs:                          " + cluster.podLogs());
    System.out.println();
    System.out.println("The member certificates name the Service and pod DNS names (and 127.0.0.1), not the pods' "
        + "127.x addresses, and those names resolve only through the stand-in's hosts file. This runs etcdctl with "
        + "that file as its /etc/hosts in a private mount namespace (as the stand-in runs etcd; needs root; the "
        + "host's /etc/hosts is not touched):");
    System.out.println();
    System.out.println("  " + inStandInDns + "put /sandbox/greeting hello'");
    System.out.println("  " + inStandInDns + "get /sandbox/greeting'");
    System.out.println("  " + inStandInDns.replace("--endpoints " + service, "--endpoints " + String.join(",", members))
        + "endpoint status -w table'");
    System.out.println();
    System.out.println("The Kubernetes API stand-in: " + cluster.client().getMasterUrl() + " (no auth).");
    System.out.println("sandbox: running; press Ctrl-C to stop.");
    System.out.flush();
    stopped.await();
  }
}
