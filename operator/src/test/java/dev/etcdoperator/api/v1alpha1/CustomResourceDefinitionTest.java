package dev.etcdoperator.api.v1alpha1;

import static org.assertj.core.api.Assertions.assertThat;

import dev.etcdoperator.support.UpgradePath;
import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.crdv2.generator.CRDGenerator;
import io.fabric8.crdv2.generator.CRDPostProcessor;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinitionVersion;
import io.fabric8.kubernetes.api.model.apiextensions.v1.JSONSchemaProps;
import io.fabric8.kubernetes.api.model.apiextensions.v1.ValidationRule;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The CRDs in crds/ are generated from the Java model. This test generates them again and fails when the committed
 * files differ; run it with {@code -Dcrds.update=true} to rewrite crds/ after changing the model.
 */
class CustomResourceDefinitionTest {
  private static final Path GENERATED = Path.of("target", "generated-crds");
  private static final String ETCD_CLUSTER_FILE = "etcdclusters.etcdoperator.dev-v1.yml";
  private static final String ETCD_BACKUP_FILE = "etcdbackups.etcdoperator.dev-v1.yml";
  private static final List<String> FILES = List.of(ETCD_CLUSTER_FILE, ETCD_BACKUP_FILE);
  private static CustomResourceDefinition crd;
  private static CustomResourceDefinition backupCrd;

  @BeforeAll
  static void generate() throws IOException {
    Files.createDirectories(GENERATED);
    new CRDGenerator().inOutputDir(GENERATED.toFile()).forCRDVersions("v1").withParallelGenerationEnabled(false)
        .withPostProcessor(new CRDPostProcessor() {
          @Override
          public HasMetadata process(HasMetadata crd, String crdSpecVersion) {
            CrdSchemaBounds.apply((CustomResourceDefinition) crd);
            return keepDeclaredColumnOrder(crd);
          }
        })
        .customResourceClasses(EtcdCluster.class, EtcdBackup.class).detailedGenerate();
    if (Boolean.getBoolean("crds.update")) {
      for (String file : FILES) {
        Files.copy(GENERATED.resolve(file), committedDir().resolve(file), StandardCopyOption.REPLACE_EXISTING);
        // The Helm chart installs the same CRDs from its own copy (ChartCrdsTest checks it is identical).
        Files.copy(GENERATED.resolve(file), chartCrdsDir().resolve(file), StandardCopyOption.REPLACE_EXISTING);
      }
    }
    crd = Serialization.unmarshal(Files.readString(GENERATED.resolve(ETCD_CLUSTER_FILE)),
        CustomResourceDefinition.class);
    backupCrd = Serialization.unmarshal(Files.readString(GENERATED.resolve(ETCD_BACKUP_FILE)),
        CustomResourceDefinition.class);
  }

  /** The generator does not keep the order of the printer-column annotations; kubectl shows columns in CRD order. */
  private static HasMetadata keepDeclaredColumnOrder(HasMetadata generated) {
    if (generated instanceof CustomResourceDefinition definition) {
      Class<?> kind = definition.getSpec().getNames().getKind().equals("EtcdBackup") ? EtcdBackup.class
          : EtcdCluster.class;
      List<String> declared = Arrays.stream(kind.getAnnotationsByType(AdditionalPrinterColumn.class))
          .map(AdditionalPrinterColumn::name).toList();
      definition.getSpec().getVersions().forEach(v -> v.getAdditionalPrinterColumns()
          .sort(Comparator.comparingInt(column -> declared.indexOf(column.getName()))));
    }
    return generated;
  }

  private static Path committedDir() {
    return Path.of(System.getProperty("crds.dir", "../crds"));
  }

  private static Path chartCrdsDir() {
    return committedDir().resolveSibling("helm").resolve("etcd-operator").resolve("files").resolve("crds");
  }

  @Test
  void committedCrdsMatchTheModel() throws IOException {
    for (String file : FILES) {
      Path committed = committedDir().resolve(file);
      assertThat(committed).as("crds/%s is missing: run the build with -Dcrds.update=true", file).exists();
      assertThat(Files.readString(committed))
          .as("crds/%s is stale: regenerate it with `./mvnw -pl operator -am test -Dtest=CustomResourceDefinitionTest"
              + " -Dsurefire.failIfNoSpecifiedTests=false -Dcrds.update=true` and commit it", file)
          .isEqualTo(Files.readString(GENERATED.resolve(file)));
    }
  }

  @Test
  void backupSpecIsImmutableAndKeepsSnapshotsByDefault() {
    JSONSchemaProps spec = backupCrd.getSpec().getVersions().get(0).getSchema().getOpenAPIV3Schema().getProperties()
        .get("spec");
    assertThat(spec.getXKubernetesValidations()).extracting(ValidationRule::getRule).contains("self == oldSelf");
    assertThat(spec.getRequired()).containsExactlyInAnyOrder("clusterRef", "destination");
    assertThat(spec.getProperties().get("deletionPolicy").getDefault().asText()).isEqualTo("Retain");
    JSONSchemaProps s3 = spec.getProperties().get("destination").getProperties().get("s3");
    assertThat(s3.getRequired()).containsExactly("bucket");
    assertThat(s3.getProperties().get("serverSideEncryption").getProperties().get("type").getEnum())
        .extracting(Object::toString).containsExactly("\"AES256\"", "\"KMS\"");
    assertThat(backupCrd.getSpec().getVersions().get(0).getSubresources().getStatus()).isNotNull();
  }

  /** docs/api-reference.md lists the size limits of both CRDs, generated from them between marker comments. */
  @Test
  void apiReferenceListsEverySizeLimit() throws IOException {
    Path reference = committedDir().resolveSibling("docs").resolve("api-reference.md");
    String document = Files.readString(reference);
    String generated = limitsSection(limitsSection(document, "EtcdCluster", ApiLimitsTable.of(crd)), "EtcdBackup",
        ApiLimitsTable.of(backupCrd));
    if (Boolean.getBoolean("crds.update")) {
      Files.writeString(reference, generated);
      document = generated;
    }
    assertThat(document).as("the limits in docs/api-reference.md are stale: regenerate them like crds/ (see above)")
        .isEqualTo(generated);
  }

  /** docs/api-reference.md describes every field of both CRDs, generated from their schemas like the limits. */
  @Test
  void apiReferenceDescribesEveryField() throws IOException {
    Path reference = committedDir().resolveSibling("docs").resolve("api-reference.md");
    String document = Files.readString(reference);
    String generated = section(section(document, "fields", "EtcdCluster", ApiFieldsTable.of(crd)), "fields",
        "EtcdBackup", ApiFieldsTable.of(backupCrd));
    if (Boolean.getBoolean("crds.update")) {
      Files.writeString(reference, generated);
      document = generated;
    }
    assertThat(document).as("the field reference in docs/api-reference.md is stale: regenerate it like crds/ (see "
        + "above)").isEqualTo(generated);
  }

  private static String limitsSection(String document, String kind, String table) {
    return section(document, "limits", kind, table);
  }

  /** Replaces what stands between the markers of a generated section. */
  private static String section(String document, String what, String kind, String table) {
    String begin = "<!-- " + what + " of " + kind + ": generated from crds/ by CustomResourceDefinitionTest -->\n";
    String end = "<!-- end of " + what + " of " + kind + " -->";
    int from = document.indexOf(begin);
    int to = document.indexOf(end);
    assertThat(from).as("docs/api-reference.md has the marker %s", begin.strip()).isNotNegative();
    assertThat(to).as("docs/api-reference.md has the marker %s", end).isGreaterThan(from);
    return document.substring(0, from + begin.length()) + table + document.substring(to);
  }

  @Test
  void namesAndScope() {
    assertThat(crd.getMetadata().getName()).isEqualTo("etcdclusters.etcdoperator.dev");
    assertThat(crd.getSpec().getScope()).isEqualTo("Namespaced");
    assertThat(crd.getSpec().getNames().getShortNames()).containsExactly("etcd");
    assertThat(crd.getSpec().getNames().getKind()).isEqualTo("EtcdCluster");
  }

  @Test
  void hasStatusAndScaleSubresources() {
    var subresources = version().getSubresources();
    assertThat(subresources.getStatus()).isNotNull();
    assertThat(subresources.getScale().getSpecReplicasPath()).isEqualTo(".spec.replicas");
    assertThat(subresources.getScale().getStatusReplicasPath()).isEqualTo(".status.replicas");
    assertThat(subresources.getScale().getLabelSelectorPath()).isEqualTo(".status.selector");
  }

  @Test
  void printerColumnsShowReadinessAndVersionWithLeaderInWideOutput() {
    var columns = version().getAdditionalPrinterColumns();
    assertThat(columns).extracting(c -> c.getName())
        .containsExactly("Ready", "Replicas", "ReadyReplicas", "Version", "Age", "Leader", "Reason");
    assertThat(columns).filteredOn(c -> c.getPriority() != null && c.getPriority() > 0).extracting(c -> c.getName())
        .containsExactly("Leader", "Reason");
  }

  @Test
  void replicasAreOddFromOneToNineWithDefaultThree() {
    JSONSchemaProps replicas = spec().getProperties().get("replicas");
    assertThat(replicas.getMinimum()).isEqualTo(1.0);
    assertThat(replicas.getMaximum()).isEqualTo(9.0);
    assertThat(replicas.getDefault().asInt()).isEqualTo(3);
    assertThat(rules(replicas)).containsExactly("self % 2 == 1");
  }

  @Test
  void versionGoesBackOneMinorFromThreeSixOnAndNeverSkipsOne() {
    assertThat(rules(spec().getProperties().get("version"))).contains(
        "!(oldSelf.startsWith('3.7.') && (self.startsWith('3.5.') || self.startsWith('3.4.'))) "
            + "&& !(oldSelf.startsWith('3.6.') && self.startsWith('3.4.')) && !(oldSelf.startsWith('3.5.') "
            + "&& self.startsWith('3.4.'))",
        "!(oldSelf.startsWith('3.4.') && (self.startsWith('3.6.') || self.startsWith('3.7.'))) "
            + "&& !(oldSelf.startsWith('3.5.') && self.startsWith('3.7.'))");
  }

  /**
   * Each minor's upgrade floor (UpgradePath's table) has a CEL rule whose pattern admits exactly the patches at or
   * above the floor: checked here with Java's regex engine, which agrees with CEL's RE2 on this plain syntax.
   */
  @Test
  void versionRulesRepeatTheUpgradeFloors() {
    List<String> rules = rules(spec().getProperties().get("version"));
    assertThat(UpgradePath.MINIMUM_BEFORE).isNotEmpty().allSatisfy((minor, floor) -> {
      String from = floor.major() + "." + floor.minor() + ".";
      String guard = "!(oldSelf.startsWith('" + from + "') && self.startsWith('" + minor + ".')) || oldSelf.matches('";
      String rule = rules.stream().filter(r -> r.startsWith(guard)).findFirst().orElseThrow(
          () -> new AssertionError("no CEL rule for the floor before " + minor + " (" + floor + ")"));
      java.util.regex.Pattern pattern = java.util.regex.Pattern.compile(
          rule.substring(guard.length(), rule.length() - "')".length()));
      for (int patch = 0; patch < 1000; patch++) {
        assertThat(pattern.matcher(from + patch).matches()).as(from + patch + " before " + minor)
            .isEqualTo(patch >= floor.patch());
      }
    });
  }

  @Test
  void revisionCompactionNeedsACount() {
    JSONSchemaProps compaction = spec().getProperties().get("maintenance").getProperties().get("compaction");
    assertThat(rules(compaction)).containsExactly("self.mode != 'revision' || self.retention.matches('^[0-9]+$')");
    assertThat(compaction.getRequired()).containsExactlyInAnyOrder("mode", "retention");
  }

  @Test
  void defragmentationNeedsAScheduleOrAThresholdAndBoundsThem() {
    JSONSchemaProps defragmentation = spec().getProperties().get("maintenance").getProperties()
        .get("defragmentation");
    assertThat(rules(defragmentation)).containsExactly("has(self.schedule) || has(self.threshold)");
    JSONSchemaProps threshold = defragmentation.getProperties().get("threshold");
    assertThat(threshold.getProperties().get("fragmentedPercent").getMinimum()).isEqualTo(1.0);
    assertThat(threshold.getProperties().get("fragmentedPercent").getMaximum()).isEqualTo(100.0);
    assertThat(defragmentation.getProperties().get("schedule").getMaxLength()).isEqualTo(128L);
  }

  @Test
  void storageRulesKeepClassImmutableAndSizeGrowOnly() {
    JSONSchemaProps storage = spec().getProperties().get("storage");
    assertThat(rules(storage.getProperties().get("storageClassName"))).containsExactly("self == oldSelf");
    assertThat(rules(storage.getProperties().get("size")))
        .containsExactly("quantity(self).compareTo(quantity(oldSelf)) >= 0");
    assertThat(rules(storage)).contains("has(self.size) != has(self.emptyDir)");
  }

  @Test
  void extraArgsRejectEveryManagedFlag() {
    JSONSchemaProps extraArgs = spec().getProperties().get("etcd").getProperties().get("extraArgs");
    String rule = rules(extraArgs).get(0);
    assertThat(ManagedEtcdFlags.NAMES).contains("initial-cluster-state", "data-dir", "name", "listen-client-urls");
    ManagedEtcdFlags.NAMES.forEach(flag -> assertThat(rule).contains("'" + flag + "'"));
  }

  /** A transition rule on the optional field itself would not run when the field is added or removed. */
  @Test
  void bootstrapCanNeitherChangeNorComeNorGo() {
    assertThat(rules(spec())).contains("has(self.bootstrap) == has(oldSelf.bootstrap)");
    assertThat(rules(spec().getProperties().get("bootstrap"))).containsExactly("self == oldSelf");
  }

  @Test
  void clientCertificateNamesAreUniqueByListMapSemantics() {
    JSONSchemaProps list = spec().getProperties().get("tls").getProperties().get("clientCertificates");
    assertThat(list.getXKubernetesListType()).isEqualTo("map");
    assertThat(list.getXKubernetesListMapKeys()).containsExactly("name");
    assertThat(list.getItems().getSchema().getRequired()).contains("name");
    assertThat(list.getXKubernetesValidations()).as("no quadratic uniqueness rule").isNullOrEmpty();
  }

  @Test
  void extraArgsRejectFlagsThatGiveUpEtcdsSafety() {
    JSONSchemaProps extraArgs = spec().getProperties().get("etcd").getProperties().get("extraArgs");
    assertThat(rules(extraArgs)).anySatisfy(rule -> assertThat(rule).contains("'unsafe-no-fsync' in self")
        .contains("self['strict-reconfig-check'] == 'true'"));
  }

  @Test
  void versionHasASemverPattern() {
    assertThat(spec().getProperties().get("version").getPattern()).isEqualTo("^\\d+\\.\\d+\\.\\d+$");
  }

  private static CustomResourceDefinitionVersion version() {
    assertThat(crd.getSpec().getVersions()).hasSize(1);
    return crd.getSpec().getVersions().get(0);
  }

  private static JSONSchemaProps spec() {
    return version().getSchema().getOpenAPIV3Schema().getProperties().get("spec");
  }

  private static List<String> rules(JSONSchemaProps props) {
    return props.getXKubernetesValidations().stream().map(ValidationRule::getRule).toList();
  }
}
