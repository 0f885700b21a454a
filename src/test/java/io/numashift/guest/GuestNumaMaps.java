package io.numashift.guest;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A process's {@code /proc/<pid>/numa_maps} as the kernel wrote it: per VMA (by start address),
 * the pages it maps on each node ({@code N<node>=<pages>}).
 */
public record GuestNumaMaps(List<Line> lines) {
    /** One VMA's line. */
    public record Line(long start, String text, Map<Integer, Long> pagesOnNode) {}

    static GuestNumaMaps parse(String text) {
        List<Line> lines = new ArrayList<>();
        for (String line : text.lines().toList()) {
            String[] fields = line.split(" ");
            Map<Integer, Long> pages = new TreeMap<>();
            for (String field : fields) {
                if (field.matches("N\\d+=\\d+")) {
                    int eq = field.indexOf('=');
                    pages.put(Integer.parseInt(field.substring(1, eq)), Long.parseLong(field.substring(eq + 1)));
                }
            }
            lines.add(new Line(Long.parseUnsignedLong(fields[0], 16), line, pages));
        }
        return new GuestNumaMaps(List.copyOf(lines));
    }

    /** Pages on each node, over every VMA. */
    public Map<Integer, Long> total() {
        Map<Integer, Long> total = new TreeMap<>();
        for (Line line : lines) {
            line.pagesOnNode().forEach((node, pages) -> total.merge(node, pages, Long::sum));
        }
        return total;
    }

    @Override
    public String toString() {
        return String.join("\n", lines.stream().map(Line::text).toList());
    }
}
