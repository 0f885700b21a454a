package io.numashift.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import io.numashift.agent.AgentSettings;
import io.numashift.agent.Settings;
import io.numashift.security.Role;
import io.numashift.security.SecuritySettings;
import io.numashift.security.SecuritySettings.TokenSpec;
import io.numashift.security.Tokens;
import java.io.IOException;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.xpath.XPathFactory;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.config.BeanDefinition;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.ConfigurationPropertySources;
import org.springframework.boot.convert.DurationStyle;
import org.springframework.context.annotation.ClassPathScanningCandidateComponentProvider;
import org.springframework.core.annotation.AnnotatedElementUtils;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.core.env.SystemEnvironmentPropertySource;
import org.springframework.core.type.filter.AnnotationTypeFilter;
import org.w3c.dom.Document;
import org.yaml.snakeyaml.Yaml;

/**
 * Keeps {@code docker/} and {@code helm/} honest against the code: the properties they set are
 * ones the application binds, the tokens are the SHA-256 of their example secrets, the simulated
 * agents serve hosts of the demo scenario, and the image's Java is the pom's.
 */
class DeploymentFilesTest {

    private static final Path DOCKER = Path.of("docker");
    private static final Path CHART = Path.of("helm", "numashift");

    /**
     * Read by {@code NumashiftApplication.main} before any context exists; the other properties
     * come from the {@code @ConfigurationProperties} records, found below.
     */
    private static final List<String> AGENT_MODE_PROPERTIES = List.of("numashift.mode");

    private static final Pattern ENV_NAME = Pattern.compile("NUMASHIFT(?:_[A-Z0-9]+|_\\{\\{[^}]*}})+");
    private static final Pattern TEMPLATE_ACTION = Pattern.compile("\\{\\{[^}]*}}");

    @Test
    void everyNumashiftPropertyTheDeploymentFilesSetIsOneTheApplicationBinds() throws IOException {
        List<String> known = knownProperties();
        List<Pattern> envForms =
                known.stream().map(DeploymentFilesTest::envForm).toList();
        List<Pattern> argForms =
                known.stream().map(DeploymentFilesTest::argForm).toList();

        Set<String> envNames = new TreeSet<>();
        Set<String> argNames = new TreeSet<>();
        for (Map<String, Object> service : composeServices().values()) {
            environment(service).keySet().stream()
                    .filter(name -> name.startsWith("NUMASHIFT_"))
                    .forEach(envNames::add);
            commandArguments(service).stream()
                    .filter(argument -> argument.startsWith("--numashift."))
                    .map(argument -> argument.substring(2).split("=", 2)[0])
                    .forEach(argNames::add);
        }
        Matcher dockerfileEnv =
                Pattern.compile("(?m)^ENV\\s+(NUMASHIFT_[A-Z0-9_]+)=").matcher(read(DOCKER.resolve("Dockerfile")));
        while (dockerfileEnv.find()) {
            envNames.add(dockerfileEnv.group(1));
        }
        // The command line's own variables (docs/cli.md), given to `docker exec … numashift`, are
        // read by it, not bound by the application.
        Set<String> commandLine = Set.of("NUMASHIFT_URL", "NUMASHIFT_TOKEN", "NUMASHIFT_TOKEN_FILE");
        Matcher readmeEnv = Pattern.compile("-e (NUMASHIFT_[A-Z0-9_]+)=").matcher(read(DOCKER.resolve("README.md")));
        while (readmeEnv.find()) {
            if (commandLine.contains(readmeEnv.group(1))) {
                assertThat(read(Path.of("docs", "cli.md"))).contains(readmeEnv.group(1));
            } else {
                envNames.add(readmeEnv.group(1));
            }
        }
        try (var templates = Files.list(CHART.resolve("templates"))) {
            // The manifests only: NOTES.txt speaks of the user's shell, not of the pods.
            for (Path template : templates.filter(t -> !t.endsWith("NOTES.txt")).toList()) {
                Matcher name = ENV_NAME.matcher(read(template));
                while (name.find()) {
                    envNames.add(TEMPLATE_ACTION.matcher(name.group()).replaceAll("0"));
                }
            }
        }
        for (Map<String, Object> values : List.of(chartValues(), exampleValues())) {
            for (String part : List.of("service", "agent")) {
                Map<String, Object> env = map(map(values.get(part)).get("env"));
                env.keySet().stream().filter(n -> n.startsWith("NUMASHIFT_")).forEach(envNames::add);
            }
        }

        assertThat(envNames).contains("NUMASHIFT_MODE", "NUMASHIFT_AGENT_HOST", "NUMASHIFT_SECURITY_TOKENS_0_SHA256");
        assertThat(unmatched(envNames, envForms))
                .as("NUMASHIFT_* variables that no property of the application binds (known: %s)", known)
                .isEmpty();
        assertThat(unmatched(argNames, argForms))
                .as("--numashift.* arguments that no property of the application binds (known: %s)", known)
                .isEmpty();
    }

    @Test
    void composeRunsServiceReplicasOnOnePostgres15WithoutEmbeddedAgents() throws IOException {
        Map<String, Map<String, Object>> services = composeServices();
        Map<String, Map<String, String>> replicas = replicas(services);
        assertThat(replicas).hasSizeGreaterThanOrEqualTo(2);

        for (var replica : replicas.entrySet()) {
            Map<String, String> env = replica.getValue();
            Binder binder = binder(env);
            assertThat(binder.bind("numashift.sim.embedded-agents", Boolean.class)
                            .orElse(true))
                    .as("%s: the simulated agents serve the hosts, not embedded ones", replica.getKey())
                    .isFalse();

            String url = env.get("SPRING_DATASOURCE_URL");
            assertThat(url).as(replica.getKey()).startsWith("jdbc:postgresql://");
            URI database = URI.create(url.substring("jdbc:".length()));
            Map<String, Object> postgres = services.get(database.getHost());
            assertThat(postgres)
                    .as("%s: no compose service %s", replica.getKey(), database.getHost())
                    .isNotNull();
            assertThat(String.valueOf(postgres.get("image"))).matches("postgres:15([.-].*)?");
            Map<String, String> postgresEnv = environment(postgres);
            assertThat(database.getPath()).isEqualTo("/" + postgresEnv.get("POSTGRES_DB"));
            assertThat(env.get("SPRING_DATASOURCE_USERNAME")).isEqualTo(postgresEnv.get("POSTGRES_USER"));
            assertThat(env.get("SPRING_DATASOURCE_PASSWORD")).isEqualTo(postgresEnv.get("POSTGRES_PASSWORD"));
        }
        assertThat(replicas.values().stream().map(DeploymentFilesTest::tokensOf).distinct())
                .as("every replica accepts the same tokens")
                .hasSize(1);
    }

    @Test
    void composeAgentsServeTheHostsOfTheDemoScenarioThroughAReplica() throws IOException {
        Map<String, Map<String, Object>> services = composeServices();
        Map<String, Map<String, String>> replicas = replicas(services);
        Map<String, Map<String, String>> agents = agents(services);

        assertThat(agents.values().stream().map(env -> env.get("NUMASHIFT_AGENT_HOST")))
                .containsExactlyInAnyOrderElementsOf(demoHosts());
        for (var agent : agents.entrySet()) {
            Map<String, String> env = agent.getValue();
            assertThat(env).as(agent.getKey()).containsEntry("NUMASHIFT_AGENT_BACKEND", "simulated");
            URI orchestrator = URI.create(env.get("NUMASHIFT_AGENT_ORCHESTRATOR_URL"));
            assertThat(replicas).as(agent.getKey()).containsKey(orchestrator.getHost());
            String port = replicas.get(orchestrator.getHost()).getOrDefault("SERVER_PORT", "8080");
            assertThat(orchestrator.getPort()).as(agent.getKey()).isEqualTo(Integer.parseInt(port));

            Duration grace = AgentSettings.read(Settings.of(List.of(), new Properties(), env))
                    .shutdownGrace();
            Object stopGrace = services.get(agent.getKey()).get("stop_grace_period");
            assertThat(stopGrace)
                    .as("%s: Docker stops a container after 10 s unless told otherwise", agent.getKey())
                    .isNotNull();
            assertThat(DurationStyle.detectAndParse(String.valueOf(stopGrace)))
                    .as("%s: stop_grace_period must exceed the agent's shutdown grace", agent.getKey())
                    .isGreaterThan(grace);
        }
    }

    @Test
    void composeTokensAreTheSha256OfTheExampleSecretsAndLetEachAgentServeItsHost() throws IOException {
        Map<String, Object> compose = yaml(DOCKER.resolve("compose.yaml"));
        Map<String, Object> secrets = map(compose.get("x-example-secrets"));
        Map<String, Map<String, Object>> services = composeServices();
        List<TokenSpec> tokens = tokensOf(replicas(services).values().iterator().next());

        assertThat(tokens).extracting(TokenSpec::name).containsExactlyInAnyOrderElementsOf(secrets.keySet());
        assertThat(tokens).anySatisfy(token -> assertThat(token.roles()).contains(Role.OPERATOR));
        for (TokenSpec token : tokens) {
            assertThat(token.sha256())
                    .as("token %s: the SHA-256 of its example secret", token.name())
                    .isEqualTo(Tokens.sha256Hex(String.valueOf(secrets.get(token.name()))));
        }
        for (var agent : agents(services).entrySet()) {
            String host = agent.getValue().get("NUMASHIFT_AGENT_HOST");
            String sha256 = Tokens.sha256Hex(agent.getValue().get("NUMASHIFT_AGENT_TOKEN"));
            assertThat(tokens)
                    .as("%s: a token with its secret, role AGENT and host %s", agent.getKey(), host)
                    .anySatisfy(token -> {
                        assertThat(token.sha256()).isEqualTo(sha256);
                        assertThat(token.roles()).contains(Role.AGENT);
                        assertThat(token.hosts()).contains(host);
                    });
        }
    }

    @Test
    void composeBuildsTheImageFromTheDockerfile() throws IOException {
        for (var service : composeServices().entrySet()) {
            Object build = service.getValue().get("build");
            if (build != null) {
                Map<String, Object> spec = map(build);
                Path context =
                        DOCKER.resolve(String.valueOf(spec.get("context"))).normalize();
                assertThat(context.resolve(String.valueOf(spec.get("dockerfile"))))
                        .as(service.getKey())
                        .isEqualTo(DOCKER.resolve("Dockerfile"));
                assertThat(context.resolve("pom.xml")).as(service.getKey()).exists();
            }
        }
    }

    @Test
    void dockerfileBuildsAndRunsWithThePomsJavaAndAllowsNativeAccess() throws Exception {
        String dockerfile = read(DOCKER.resolve("Dockerfile"));
        String javaVersion = pom("/project/properties/java.version");

        Matcher from = Pattern.compile("(?m)^FROM\\s+eclipse-temurin:(\\d+)-(jdk|jre)\\b")
                .matcher(dockerfile);
        List<String> stages = new ArrayList<>();
        while (from.find()) {
            assertThat(from.group(1)).as("the Java of %s", from.group()).isEqualTo(javaVersion);
            stages.add(from.group(2));
        }
        assertThat(stages).containsExactly("jdk", "jre");
        assertThat(dockerfile).contains("./mvnw -B package -DskipTests");

        Matcher entrypoint = Pattern.compile("(?ms)^ENTRYPOINT\\s+\\[(.*?)]").matcher(dockerfile);
        assertThat(entrypoint.find()).as("an ENTRYPOINT in exec form").isTrue();
        assertThat(entrypoint.group(1))
                .contains("\"--enable-native-access=ALL-UNNAMED\"")
                .contains("\"-jar\", \"/app/numashift.jar\"");
        assertThat(dockerfile)
                .as("the command line is installed")
                .contains("/src/src/main/bin/numashift /usr/local/bin/numashift");
        assertThat(dockerfile).containsPattern("(?m)^EXPOSE 8080$").containsPattern("(?m)^USER \\d+");
    }

    @Test
    void helmExampleTokensAreTheSha256OfTheExampleSecretsWithKnownRoles() throws IOException {
        Map<String, Object> values = exampleValues();
        Map<String, Object> secrets = map(values.get("exampleSecrets"));
        List<Object> tokens = list(map(values.get("security")).get("tokens"));

        assertThat(tokens).isNotEmpty();
        Set<String> roles = new TreeSet<>();
        for (Object entry : tokens) {
            Map<String, Object> token = map(entry);
            String name = String.valueOf(token.get("name"));
            assertThat(token.get("sha256"))
                    .as("token %s: the SHA-256 of its example secret", name)
                    .isEqualTo(Tokens.sha256Hex(String.valueOf(secrets.get(name))));
            for (Object role : list(token.get("roles"))) {
                roles.add(Role.valueOf(String.valueOf(role)).name());
            }
            if (list(token.get("roles")).contains(Role.AGENT.name())) {
                assertThat(list(token.get("hosts")))
                        .as("agent token %s names its hosts", name)
                        .isNotEmpty();
            }
        }
        assertThat(roles).contains(Role.OPERATOR.name(), Role.AGENT.name());
    }

    @Test
    void helmAgentIsGivenLongerThanItsShutdownGraceAndWhatTheLinuxBackendNeeds() throws IOException {
        for (Map<String, Object> values : List.of(chartValues(), merged(chartValues(), exampleValues()))) {
            Map<String, Object> agent = map(values.get("agent"));
            assertThat(((Number) agent.get("terminationGracePeriodSeconds")).intValue())
                    .as("agent.terminationGracePeriodSeconds must exceed agent.shutdownGraceSeconds")
                    .isGreaterThan(((Number) agent.get("shutdownGraceSeconds")).intValue());
            assertThat(list(agent.get("capabilities"))).contains("SYS_NICE", "SYS_PTRACE");
        }
        String daemonSet = read(CHART.resolve("templates/agent-daemonset.yaml"));
        assertThat(daemonSet)
                .contains("hostPID: true")
                .contains("fieldPath: spec.nodeName")
                .contains("name: NUMASHIFT_AGENT_TOKEN_FILE")
                .contains("path: /sys/fs/cgroup")
                .contains("path: /sys/devices/system/node")
                .contains("terminationGracePeriodSeconds: {{ .Values.agent.terminationGracePeriodSeconds }}")
                .contains("(int .Values.agent.shutdownGraceSeconds)");
    }

    @Test
    void helmProbesUseTheHealthGroupsTheServiceExposes() throws IOException {
        Map<String, Object> health =
                map(map(map(yaml(Path.of("src/main/resources/application.yaml")).get("management"))
                                .get("endpoint"))
                        .get("health"));
        assertThat(map(health.get("probes"))).containsEntry("enabled", true);
        assertThat(map(health.get("group"))).containsKey("readiness");

        String deployment = read(CHART.resolve("templates/service-deployment.yaml"));
        Matcher path = Pattern.compile("path: (\\S+)").matcher(deployment);
        Set<String> paths = new TreeSet<>();
        while (path.find()) {
            paths.add(path.group(1));
        }
        assertThat(paths).containsExactlyInAnyOrder("/actuator/health/liveness", "/actuator/health/readiness");
    }

    @Test
    void helmChartAppVersionIsThePomsVersion() throws Exception {
        assertThat(String.valueOf(yaml(CHART.resolve("Chart.yaml")).get("appVersion")))
                .isEqualTo(pom("/project/version"));
    }

    /** The properties of every settings record, of application.yaml, and of the agent mode. */
    private static List<String> knownProperties() throws IOException {
        List<String> properties = new ArrayList<>(AGENT_MODE_PROPERTIES);
        // The agent process is plain Java: it names its settings itself.
        properties.addAll(AgentSettings.NAMES);
        var scanner = new ClassPathScanningCandidateComponentProvider(false);
        scanner.addIncludeFilter(new AnnotationTypeFilter(ConfigurationProperties.class));
        for (BeanDefinition candidate : scanner.findCandidateComponents("io.numashift")) {
            Class<?> type;
            try {
                type = Class.forName(candidate.getBeanClassName());
            } catch (ClassNotFoundException e) {
                throw new IllegalStateException(e);
            }
            ConfigurationProperties annotation =
                    AnnotatedElementUtils.findMergedAnnotation(type, ConfigurationProperties.class);
            addProperties(annotation.prefix(), type, properties);
        }
        assertThat(properties).as("the settings records were found").contains("numashift.security.tokens[].sha256");
        flatten(
                "numashift",
                yaml(Path.of("src/main/resources/application.yaml")).get("numashift"),
                properties);
        return properties;
    }

    private static void addProperties(String prefix, Class<?> type, List<String> properties) {
        if (!type.isRecord()) {
            fail("%s is not a record: teach this test its properties", type.getName());
        }
        for (RecordComponent component : type.getRecordComponents()) {
            String name = prefix + "." + kebab(component.getName());
            Type generic = component.getGenericType();
            if (component.getType().isRecord()) {
                addProperties(name, component.getType(), properties);
            } else if (List.class.isAssignableFrom(component.getType())
                    && generic instanceof ParameterizedType parameterized
                    && parameterized.getActualTypeArguments()[0] instanceof Class<?> element
                    && element.isRecord()) {
                addProperties(name + "[]", element, properties);
            } else {
                properties.add(name);
            }
        }
    }

    private static void flatten(String prefix, Object node, List<String> properties) {
        if (node instanceof Map<?, ?> children) {
            children.forEach((key, child) -> flatten(prefix + "." + key, child, properties));
        } else {
            properties.add(prefix);
        }
    }

    private static String kebab(String camel) {
        return camel.replaceAll("([a-z0-9])([A-Z])", "$1-$2").toLowerCase(Locale.ROOT);
    }

    /** Spring Boot's environment-variable form: dots as underscores, dashes dropped or underscores. */
    private static Pattern envForm(String property) {
        List<String> parts = new ArrayList<>();
        for (String part : property.split("\\.")) {
            boolean indexed = part.endsWith("[]");
            String word = (indexed ? part.substring(0, part.length() - 2) : part).toUpperCase(Locale.ROOT);
            parts.add(word.replace("-", "_?") + (indexed ? "_\\d+" : ""));
        }
        return Pattern.compile(String.join("_", parts));
    }

    private static List<String> unmatched(Set<String> names, List<Pattern> forms) {
        return names.stream()
                .filter(name ->
                        forms.stream().noneMatch(form -> form.matcher(name).matches()))
                .toList();
    }

    private static Pattern argForm(String property) {
        return Pattern.compile(property.replace(".", "\\.").replace("[]", "\\[\\d+]"));
    }

    private static Binder binder(Map<String, String> environment) {
        // Named as the process environment is, so that Spring Boot maps its names the same way.
        var source = new SystemEnvironmentPropertySource(
                StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME, new HashMap<>(environment));
        return new Binder(ConfigurationPropertySources.from(source));
    }

    private static List<TokenSpec> tokensOf(Map<String, String> environment) {
        return binder(environment)
                .bindOrCreate("numashift.security", SecuritySettings.class)
                .tokens();
    }

    private static Map<String, Map<String, Object>> composeServices() throws IOException {
        Map<String, Map<String, Object>> services = new LinkedHashMap<>();
        map(yaml(DOCKER.resolve("compose.yaml")).get("services"))
                .forEach((name, service) -> services.put(name, map(service)));
        return services;
    }

    private static boolean isNumashift(Map<String, Object> service) {
        return service.containsKey("build")
                || String.valueOf(service.get("image")).startsWith("numashift");
    }

    private static Map<String, Map<String, String>> replicas(Map<String, Map<String, Object>> services) {
        return numashiftServices(services, false);
    }

    private static Map<String, Map<String, String>> agents(Map<String, Map<String, Object>> services) {
        return numashiftServices(services, true);
    }

    private static Map<String, Map<String, String>> numashiftServices(
            Map<String, Map<String, Object>> services, boolean agents) {
        Map<String, Map<String, String>> selected = new LinkedHashMap<>();
        services.forEach((name, service) -> {
            Map<String, String> env = environment(service);
            boolean agent = "agent".equals(env.get("NUMASHIFT_MODE"))
                    || commandArguments(service).contains("--numashift.mode=agent");
            if (isNumashift(service) && agent == agents) {
                selected.put(name, env);
            }
        });
        return selected;
    }

    private static Map<String, String> environment(Map<String, Object> service) {
        Object environment = service.get("environment");
        if (environment == null) {
            return Map.of();
        }
        if (environment instanceof List<?> entries) {
            return entries.stream()
                    .map(String::valueOf)
                    .map(entry -> entry.split("=", 2))
                    .collect(Collectors.toMap(kv -> kv[0], kv -> kv.length > 1 ? kv[1] : ""));
        }
        Map<String, String> env = new LinkedHashMap<>();
        map(environment).forEach((name, value) -> env.put(name, String.valueOf(value)));
        return env;
    }

    private static List<String> commandArguments(Map<String, Object> service) {
        Object command = service.get("command");
        if (command == null) {
            return List.of();
        }
        if (command instanceof List<?> arguments) {
            return arguments.stream().map(String::valueOf).toList();
        }
        return List.of(String.valueOf(command).split("\\s+"));
    }

    private static List<String> demoHosts() throws IOException {
        return list(yaml(Path.of("src/main/resources/scenarios/demo.yaml")).get("hosts")).stream()
                .map(host -> String.valueOf(map(host).get("name")))
                .toList();
    }

    private static Map<String, Object> chartValues() throws IOException {
        return yaml(CHART.resolve("values.yaml"));
    }

    private static Map<String, Object> exampleValues() throws IOException {
        return yaml(CHART.resolve("ci/example-values.yaml"));
    }

    /** Helm's merge of values: maps merge key by key, anything else is replaced. */
    private static Map<String, Object> merged(Map<String, Object> base, Map<String, Object> override) {
        Map<String, Object> result = new LinkedHashMap<>(base);
        override.forEach((key, value) -> {
            if (value instanceof Map<?, ?> && result.get(key) instanceof Map<?, ?>) {
                result.put(key, merged(map(result.get(key)), map(value)));
            } else {
                result.put(key, value);
            }
        });
        return result;
    }

    private static String pom(String xpath) throws Exception {
        Document pom = DocumentBuilderFactory.newInstance()
                .newDocumentBuilder()
                .parse(Path.of("pom.xml").toFile());
        return XPathFactory.newInstance().newXPath().evaluate(xpath, pom).trim();
    }

    private static Map<String, Object> yaml(Path file) throws IOException {
        Object document = new Yaml().load(read(file));
        return map(document);
    }

    private static String read(Path file) throws IOException {
        return Files.readString(file);
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
