package io.numashift.sim;

import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The simulated hosts of one scenario, in the order the scenario lists them, each with a unique
 * name. The collection never changes; the hosts themselves hold live, mutable state (pages move
 * on them), so every call to {@link #demo()} or {@link #load(Path)} builds fresh hosts.
 */
public final class SimulatedCluster {
    /** The bundled demo scenario, on the classpath. */
    public static final String DEMO_RESOURCE = "/scenarios/demo.yaml";

    private final List<SimulatedHost> hosts;
    private final Map<String, SimulatedHost> byName;

    private SimulatedCluster(List<SimulatedHost> hosts) {
        this.hosts = List.copyOf(hosts);
        Map<String, SimulatedHost> index = new LinkedHashMap<>();
        for (SimulatedHost host : this.hosts) {
            if (index.putIfAbsent(host.hostName(), host) != null) {
                throw new ScenarioException("host " + host.hostName() + ": name: two hosts have this name");
            }
        }
        this.byName = Map.copyOf(index);
    }

    /**
     * A cluster of the given hosts, in that order.
     *
     * @throws ScenarioException if two hosts have the same name
     */
    public static SimulatedCluster of(List<SimulatedHost> hosts) {
        return new SimulatedCluster(hosts);
    }

    /**
     * Builds the bundled demo scenario ({@value #DEMO_RESOURCE}): three hosts of four nodes with a
     * batch job in the cpuset {@code /batch/job42}, ready to be moved from nodes 0 and 1 to 2 and 3.
     *
     * @throws IllegalStateException if the resource is missing from the classpath
     */
    public static SimulatedCluster demo() {
        InputStream in = SimulatedCluster.class.getResourceAsStream(DEMO_RESOURCE);
        if (in == null) {
            throw new IllegalStateException("the demo scenario " + DEMO_RESOURCE + " is not on the classpath");
        }
        try (Reader reader = new InputStreamReader(in, StandardCharsets.UTF_8)) {
            return ScenarioLoader.load(reader, "classpath:" + DEMO_RESOURCE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the demo scenario " + DEMO_RESOURCE, e);
        }
    }

    /**
     * Builds the hosts of a scenario file (YAML or JSON, UTF-8); error messages start with the path.
     *
     * @throws ScenarioException if the scenario breaks the format or a rule
     * @throws UncheckedIOException if the file cannot be read
     */
    public static SimulatedCluster load(Path file) {
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            return ScenarioLoader.load(reader, file.toString());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the scenario " + file, e);
        }
    }

    /** The hosts, in scenario order. */
    public List<SimulatedHost> hosts() {
        return hosts;
    }

    /** The host of that name, or empty if the scenario has none. */
    public Optional<SimulatedHost> host(String name) {
        return Optional.ofNullable(byName.get(name));
    }

    @Override
    public String toString() {
        return "SimulatedCluster" + hosts.stream().map(SimulatedHost::hostName).toList();
    }
}
