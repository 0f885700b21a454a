package io.numashift.linux;

import java.util.ArrayList;
import java.util.List;

/** The kernel's list format for node and CPU ids, e.g. {@code 0-3,8,10-11}; empty for none. */
final class IdList {
    private IdList() {}

    static List<Integer> parse(String text) {
        List<Integer> ids = new ArrayList<>();
        String trimmed = text.strip();
        if (trimmed.isEmpty()) {
            return ids;
        }
        for (String part : trimmed.split(",")) {
            int dash = part.indexOf('-');
            if (dash < 0) {
                ids.add(Integer.parseInt(part));
            } else {
                int from = Integer.parseInt(part.substring(0, dash));
                int to = Integer.parseInt(part.substring(dash + 1));
                for (int id = from; id <= to; id++) {
                    ids.add(id);
                }
            }
        }
        return ids;
    }
}
