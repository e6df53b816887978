package dev.herald.ops;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.ObjectMapper;

import dev.herald.cli.HeraldCli;
import dev.herald.support.HeraldTest;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvFromSource;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HTTPGetAction;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import picocli.CommandLine.Option;

/**
 * Both overlays and the Job, built by kustomize, read into fabric8's typed model: no field Kubernetes
 * does not know, and what the manifests name (images, ports, probe paths, environment variables,
 * secret keys, the client's command) agrees with the service's configuration and the client. Where the
 * machine has no kubectl, the base's and the Job's own files are read instead of the built overlays.
 */
@HeraldTest
class KubernetesManifestTest {

    private static final KubernetesSerialization YAML = new KubernetesSerialization();
    private static final Set<String> PROBES = Set.of("/q/health/live", "/q/health/ready", "/q/health/started");
    /** Read by the container's launcher, not by Herald's configuration. */
    private static final Set<String> LAUNCHER = Set.of("JAVA_OPTS_APPEND", "QUARKUS_PROFILE");
    private static final boolean KUSTOMIZE = kubectlWorks();

    @Test
    void bothOverlaysBuildIntoKnownFieldsThatAgreeWithTheService() throws Exception {
        Map<String, Set<String>> secretKeys = secretKeys();
        for (String overlay : KUSTOMIZE ? List.of("small", "large") : List.of("base")) {
            List<HasMetadata> resources = KUSTOMIZE ? build("k8s/overlays/" + overlay)
                    : files("k8s/base", "k8s/base/server");
            assertThat(resources).as(overlay).extracting(HasMetadata::getKind).contains("Deployment", "Service",
                    "ConfigMap", "ServiceAccount", "PodDisruptionBudget", "NetworkPolicy", "PersistentVolumeClaim");
            Map<String, String> config = new java.util.HashMap<>();
            resources.stream().filter(ConfigMap.class::isInstance).map(ConfigMap.class::cast)
                    .forEach(c -> config.putAll(c.getData()));
            Set<String> known = environmentNames();
            assertThat(new TreeSet<>(config.keySet())).as(overlay + ": ConfigMap keys Herald does not read")
                    .allMatch(name -> isKnown(name, known));
            for (Deployment deployment : resources.stream().filter(Deployment.class::isInstance)
                    .map(Deployment.class::cast).toList()) {
                PodSpec pod = deployment.getSpec().getTemplate().getSpec();
                assertThat(pod.getAutomountServiceAccountToken()).isFalse();
                assertThat(pod.getSecurityContext().getRunAsNonRoot()).isTrue();
                assertThat(pod.getTerminationGracePeriodSeconds()).as("longer than the 20 s drain").isGreaterThan(20);
                Container herald = pod.getContainers().get(0);
                assertThat(herald.getImage()).startsWith("registry.example.com/herald:");
                assertThat(herald.getSecurityContext().getReadOnlyRootFilesystem()).isTrue();
                assertThat(herald.getPorts()).singleElement().satisfies(p -> {
                    assertThat(p.getName()).isEqualTo("http");
                    assertThat(p.getContainerPort()).isEqualTo(8080);
                });
                for (Probe probe : List.of(herald.getStartupProbe(), herald.getReadinessProbe(), herald.getLivenessProbe())) {
                    HTTPGetAction get = probe.getHttpGet();
                    assertThat(PROBES).contains(get.getPath());
                    assertThat(get.getPort().getStrVal()).isEqualTo("http");
                }
                for (EnvVar env : herald.getEnv()) {
                    assertThat(isKnown(env.getName(), known)).as(deployment.getMetadata().getName() + ": " + env.getName())
                            .isTrue();
                }
                for (EnvFromSource from : herald.getEnvFrom()) {
                    if (from.getSecretRef() != null) {
                        assertThat(secretKeys).containsKey(from.getSecretRef().getName());
                        secretKeys.get(from.getSecretRef().getName())
                                .forEach(key -> assertThat(isKnown(key, known)).as("secret key " + key).isTrue());
                    }
                }
                checkMountedFiles(pod, herald, config, secretKeys);
            }
        }
    }

    /** A path in the configuration under a mounted secret must be one of that secret's keys. */
    private static void checkMountedFiles(PodSpec pod, Container container, Map<String, String> config,
            Map<String, Set<String>> secretKeys) {
        for (VolumeMount mount : container.getVolumeMounts()) {
            Volume volume = pod.getVolumes().stream().filter(v -> v.getName().equals(mount.getName())).findFirst()
                    .orElseThrow(() -> new AssertionError("no volume " + mount.getName()));
            if (volume.getSecret() == null) {
                continue;
            }
            Set<String> keys = secretKeys.get(volume.getSecret().getSecretName());
            assertThat(keys).as("secret " + volume.getSecret().getSecretName() + " in secret.template.yaml").isNotNull();
            config.values().stream().filter(v -> v.startsWith(mount.getMountPath() + "/"))
                    .forEach(path -> assertThat(keys).as(path).contains(path.substring(mount.getMountPath().length() + 1)));
        }
    }

    @Test
    void onlyLabelledCallersReachTheApiAndWorkersServeNobody() throws Exception {
        List<NetworkPolicy> policies = files("k8s/base").stream().filter(NetworkPolicy.class::isInstance)
                .map(NetworkPolicy.class::cast).toList();
        assertThat(policies).extracting(p -> p.getMetadata().getName()).containsExactlyInAnyOrder("herald", "herald-api");
        for (NetworkPolicy policy : policies) {
            // A rule without "from" admits every pod in the cluster.
            assertThat(policy.getSpec().getIngress()).allSatisfy(rule -> assertThat(rule.getFrom()).isNotEmpty()
                    .allSatisfy(peer -> assertThat(peer.getPodSelector().getMatchLabels()).isNotEmpty()));
        }
        NetworkPolicy api = policies.stream().filter(p -> p.getMetadata().getName().equals("herald-api")).findFirst()
                .orElseThrow();
        assertThat(api.getSpec().getPodSelector().getMatchLabels()).containsEntry("herald.dev/api", "true");
        assertThat(api.getSpec().getIngress().get(0).getFrom().get(0).getPodSelector().getMatchLabels())
                .containsEntry("herald.dev/client", "true");
        Job job = (Job) parse(Files.readString(Path.of("k8s/job/job.yaml"))).get(0);
        assertThat(job.getSpec().getTemplate().getMetadata().getLabels()).containsEntry("herald.dev/client", "true");
    }

    @Test
    void theJobRunsTheClientWithWhatItReads() throws Exception {
        List<HasMetadata> resources = KUSTOMIZE ? build("k8s/job", "--load-restrictor", "LoadRestrictionsNone")
                : files("k8s/job");
        Job job = resources.stream().filter(Job.class::isInstance).map(Job.class::cast).findFirst().orElseThrow();
        PodSpec pod = job.getSpec().getTemplate().getSpec();
        Container cli = pod.getContainers().get(0);
        assertThat(cli.getImage()).startsWith("registry.example.com/herald-cli:");
        assertThat(cli.getArgs().get(0)).isEqualTo("run");
        Set<String> cliEnvironment = new HashSet<>();
        for (var field : HeraldCli.Connection.class.getDeclaredFields()) {
            Option option = field.getAnnotation(Option.class);
            Matcher env = Pattern.compile("\\$\\{env:([A-Z_]+)").matcher(option == null ? "" : option.defaultValue());
            if (env.find()) {
                cliEnvironment.add(env.group(1));
            }
        }
        assertThat(cli.getEnv()).extracting(EnvVar::getName).allMatch(cliEnvironment::contains);
        assertThat(job.getSpec().getPodFailurePolicy().getRules().get(0).getOnExitCodes().getValues())
                .as("refused, cancelled, too many failures end the Job; a lost connection is retried")
                .contains(3, 4, 5).doesNotContain(6);
        String notice = KUSTOMIZE ? resources.stream().filter(ConfigMap.class::isInstance).map(ConfigMap.class::cast)
                .findFirst().orElseThrow().getData().get("notice.json") : Files.readString(Path.of("k8s/job/notice.json"));
        assertThat(new ObjectMapper().readTree(notice).has("templates")).isTrue();
        String tokenFile = cli.getEnv().stream().filter(e -> e.getName().equals("HERALD_TOKEN_FILE")).findFirst()
                .orElseThrow().getValue();
        VolumeMount tokenMount = cli.getVolumeMounts().stream().filter(m -> tokenFile.startsWith(m.getMountPath() + "/"))
                .findFirst().orElseThrow();
        Volume volume = pod.getVolumes().stream().filter(v -> v.getName().equals(tokenMount.getName())).findFirst()
                .orElseThrow();
        assertThat(secretKeys().get(volume.getSecret().getSecretName()))
                .contains(tokenFile.substring(tokenMount.getMountPath().length() + 1));
    }

    /** Every environment variable name Herald's configuration answers to. */
    private static Set<String> environmentNames() throws IOException {
        Set<String> names = new HashSet<>();
        for (String property : ConfigProvider.getConfig().getPropertyNames()) {
            names.add(property.toUpperCase().replaceAll("[^A-Z0-9]", "_"));
        }
        Matcher reference = Pattern.compile("\\$\\{([A-Z][A-Z0-9_]+)").matcher(
                Files.readString(Path.of("src/main/resources/application.properties")));
        while (reference.find()) {
            names.add(reference.group(1));
        }
        return names;
    }

    /** Known, or an attribute of a configured messaging channel (the connector's attributes are open-ended). */
    private static boolean isKnown(String name, Set<String> known) {
        return known.contains(name) || LAUNCHER.contains(name)
                || name.startsWith("MP_MESSAGING_INCOMING_") && known.stream().anyMatch(k -> k.startsWith("MP_MESSAGING_INCOMING_")
                        && name.startsWith(k.substring(0, k.indexOf("_WORK_") + 6)));
    }

    private static Map<String, Set<String>> secretKeys() throws IOException {
        Map<String, Set<String>> keys = new java.util.HashMap<>();
        for (HasMetadata resource : parse(Files.readString(Path.of("k8s/base/secret.template.yaml")))) {
            Secret secret = (Secret) resource;
            keys.put(secret.getMetadata().getName(), new HashSet<>(secret.getStringData().keySet()));
        }
        return keys;
    }

    private static boolean kubectlWorks() {
        try {
            return new ProcessBuilder("kubectl", "version", "--client").redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start().waitFor() == 0;
        } catch (IOException | InterruptedException e) {
            return false;
        }
    }

    /** The manifests of these directories as written, without kustomize (its own files and the template left out). */
    private static List<HasMetadata> files(String... directories) throws IOException {
        List<HasMetadata> resources = new ArrayList<>();
        for (String directory : directories) {
            try (var paths = Files.list(Path.of(directory))) {
                for (Path file : paths.filter(f -> f.toString().endsWith(".yaml")).sorted().toList()) {
                    String name = file.getFileName().toString();
                    if (!name.equals("kustomization.yaml") && !name.equals("secret.template.yaml")) {
                        resources.addAll(parse(Files.readString(file)));
                    }
                }
            }
        }
        return resources;
    }

    private static List<HasMetadata> build(String directory, String... flags) throws Exception {
        List<String> command = new ArrayList<>(List.of("kubectl", "kustomize"));
        command.addAll(List.of(flags));
        command.add(directory);
        Process kustomize = new ProcessBuilder(command).redirectErrorStream(true).start();
        String yaml = new String(kustomize.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(kustomize.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(kustomize.exitValue()).as(yaml).isZero();
        return parse(yaml);
    }

    private static List<HasMetadata> parse(String yaml) {
        List<HasMetadata> resources = new ArrayList<>();
        for (String document : yaml.split("(?m)^---\\s*$")) {
            if (document.isBlank() || document.lines().allMatch(l -> l.isBlank() || l.startsWith("#"))) {
                continue;
            }
            HasMetadata resource = YAML.unmarshal(document, HasMetadata.class);
            List<String> unknown = new ArrayList<>();
            unknownFields(resource, resource.getKind() + "/" + resource.getMetadata().getName(), unknown,
                    new IdentityHashMap<>());
            assertThat(unknown).as("fields Kubernetes does not know").isEmpty();
            resources.add(resource);
        }
        return resources;
    }

    /** Walks fabric8's model: anything it did not recognise lands in additionalProperties. */
    private static void unknownFields(Object node, String path, List<String> unknown, Map<Object, Boolean> seen) {
        if (node == null || seen.put(node, true) != null) {
            return;
        }
        if (node instanceof List<?> list) {
            for (int i = 0; i < list.size(); i++) {
                unknownFields(list.get(i), path + "[" + i + "]", unknown, seen);
            }
            return;
        }
        if (node instanceof Map<?, ?> map) {
            map.forEach((k, v) -> unknownFields(v, path + "." + k, unknown, seen));
            return;
        }
        if (!node.getClass().getName().startsWith("io.fabric8.kubernetes.api.model")) {
            return;
        }
        for (Method getter : node.getClass().getMethods()) {
            if (getter.getParameterCount() != 0 || !getter.getName().startsWith("get") || getter.getName().equals("getClass")) {
                continue;
            }
            try {
                Object value = getter.invoke(node);
                if (getter.getName().equals("getAdditionalProperties")) {
                    if (value instanceof Map<?, ?> extra && !extra.isEmpty()) {
                        unknown.add(path + ": " + extra.keySet());
                    }
                } else {
                    unknownFields(value, path + "." + getter.getName().substring(3), unknown, seen);
                }
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException(e);
            }
        }
    }
}
