package io.numashift.guest;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import tools.jackson.databind.JsonNode;

/** Checks of a migration on a guest's kernel against what the kernel and the process tell. */
final class GuestAssertions {
    private GuestAssertions() {}

    /** The only process of the job's only task. */
    static JsonNode onlyProcess(JsonNode job) {
        assertThat(job.get("tasks")).as("%s", job).hasSize(1);
        JsonNode processes = job.get("tasks").get(0).get("processes");
        assertThat(processes).as("%s", job).hasSize(1);
        return processes.get(0);
    }

    /**
     * Each page is now on the node that the mapping gives for the node it was on before (pages on
     * nodes the mapping leaves out stay), and pages never touched are still not present.
     */
    static void movedAsMapped(int[] before, int[] after, Map<Integer, Integer> mapping) {
        assertThat(after).as("pages of the region").hasSameSizeAs(before);
        int wrong = 0;
        String first = null;
        for (int page = 0; page < before.length; page++) {
            int expected = before[page] < 0 ? before[page] : mapping.getOrDefault(before[page], before[page]);
            if (after[page] != expected) {
                wrong++;
                if (first == null) {
                    first = "page " + page + " was on " + before[page] + ", is on " + after[page] + ", expected "
                            + expected;
                }
            }
        }
        assertThat(wrong)
                .as("pages not where the mapping puts them; the first: %s", first)
                .isZero();
    }

    /** Pages of the region on each node (-2: never touched). */
    static Map<Integer, Long> count(int[] nodes) {
        Map<Integer, Long> count = new TreeMap<>();
        for (int node : nodes) {
            count.merge(node, 1L, Long::sum);
        }
        return count;
    }

    /** The result's placements before and after are what numa_maps showed before and after. */
    static void placementsMatch(JsonNode process, GuestNumaMaps before, GuestNumaMaps after) {
        assertThat(placement(process.get("placementBefore")))
                .as("placementBefore against numa_maps before:\n%s", before)
                .isEqualTo(before.total());
        assertThat(placement(process.get("placementAfter")))
                .as("placementAfter against numa_maps after:\n%s", after)
                .isEqualTo(after.total());
    }

    /** A placement of the result, without its empty nodes. */
    static Map<Integer, Long> placement(JsonNode placement) {
        Map<Integer, Long> pages = new TreeMap<>();
        placement.properties().forEach(e -> {
            if (e.getValue().asLong() > 0) {
                pages.put(Integer.parseInt(e.getKey()), e.getValue().asLong());
            }
        });
        return pages;
    }

    /**
     * The counts of a process that ran to its end add up (docs/migration.md §7.3): every page
     * scanned moved, was skipped, failed, or stayed on a node outside {@code oldNodes}.
     */
    static void countsAddUp(JsonNode process, Set<Integer> oldNodes) {
        assertThat(accounted(process, oldNodes))
                .as("moved + skipped + failed + stayed, in %s", process)
                .isEqualTo(process.get("pagesScanned").asLong());
    }

    /** Pages scanned that moved, were skipped, failed, or stayed on a node outside {@code oldNodes}. */
    static long accounted(JsonNode process, Set<Integer> oldNodes) {
        long skipped = 0;
        for (JsonNode count : process.path("pagesSkipped")) {
            skipped += count.asLong();
        }
        long failed = 0;
        for (JsonNode count : process.path("pagesFailed")) {
            failed += count.asLong();
        }
        long stayed = 0;
        for (Map.Entry<Integer, Long> node :
                placement(process.get("placementBefore")).entrySet()) {
            if (!oldNodes.contains(node.getKey())) {
                stayed += node.getValue();
            }
        }
        return process.get("pagesMoved").asLong() + skipped + failed + stayed;
    }
}
