package io.numashift.web;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.MissingNode;

/**
 * A JSON value as the hostile requests write it, by hand: unlike a library's tree it can hold the
 * same key twice in one object and numbers of any spelling ({@code 1e308}, {@code
 * 9223372036854775808}), and it remembers the schema each value was generated from, so that a
 * mutation knows which fields are required and what bounds a number has.
 */
sealed interface JsonText {

    /** The schema this value was generated from, or a missing node when none. */
    JsonNode schema();

    /** The value as JSON text. */
    default String write() {
        StringBuilder out = new StringBuilder();
        write(out);
        return out.toString();
    }

    void write(StringBuilder out);

    /** A member of an object; the list of members may name a key twice. */
    record Member(String key, JsonText value) {}

    record Obj(List<Member> members, JsonNode schema) implements JsonText {
        Obj(JsonNode schema) {
            this(new ArrayList<>(), schema);
        }

        @Override
        public void write(StringBuilder out) {
            out.append('{');
            for (int i = 0; i < members.size(); i++) {
                if (i > 0) {
                    out.append(',');
                }
                Str.quote(members.get(i).key(), out);
                out.append(':');
                members.get(i).value().write(out);
            }
            out.append('}');
        }
    }

    record Arr(List<JsonText> items, JsonNode schema) implements JsonText {
        Arr(JsonNode schema) {
            this(new ArrayList<>(), schema);
        }

        @Override
        public void write(StringBuilder out) {
            out.append('[');
            for (int i = 0; i < items.size(); i++) {
                if (i > 0) {
                    out.append(',');
                }
                items.get(i).write(out);
            }
            out.append(']');
        }
    }

    record Str(String value, JsonNode schema) implements JsonText {
        Str(String value) {
            this(value, MissingNode.getInstance());
        }

        @Override
        public void write(StringBuilder out) {
            quote(value, out);
        }

        /**
         * Writes a string literal. Surrogates are escaped, so that a lone one reaches the service as
         * written instead of being replaced when the text is encoded as UTF-8.
         */
        static void quote(String value, StringBuilder out) {
            out.append('"');
            for (int i = 0; i < value.length(); i++) {
                char c = value.charAt(i);
                switch (c) {
                    case '"' -> out.append("\\\"");
                    case '\\' -> out.append("\\\\");
                    case '\n' -> out.append("\\n");
                    default -> {
                        if (c < 0x20 || Character.isSurrogate(c)) {
                            out.append(String.format("\\u%04x", (int) c));
                        } else {
                            out.append(c);
                        }
                    }
                }
            }
            out.append('"');
        }
    }

    /** A number as spelled: {@code 1}, {@code -0}, {@code 1.5}, {@code 1e308}. */
    record Num(String literal, JsonNode schema) implements JsonText {
        Num(String literal) {
            this(literal, MissingNode.getInstance());
        }

        @Override
        public void write(StringBuilder out) {
            out.append(literal);
        }
    }

    record Bool(boolean value, JsonNode schema) implements JsonText {
        Bool(boolean value) {
            this(value, MissingNode.getInstance());
        }

        @Override
        public void write(StringBuilder out) {
            out.append(value);
        }
    }

    record Null(JsonNode schema) implements JsonText {
        Null() {
            this(MissingNode.getInstance());
        }

        @Override
        public void write(StringBuilder out) {
            out.append("null");
        }
    }

    /**
     * Where a value sits in a body: its path (such as {@code targets[0].pids[1]}, or {@code body}),
     * and how to put another value in its place.
     */
    record Slot(String path, JsonText value, Consumer<JsonText> replace) {}

    /** Every value of the tree with its place, the root first. */
    static List<Slot> slots(JsonText root, Consumer<JsonText> replaceRoot) {
        List<Slot> slots = new ArrayList<>();
        collect(new Slot("body", root, replaceRoot), slots);
        return slots;
    }

    private static void collect(Slot slot, List<Slot> slots) {
        slots.add(slot);
        String prefix = slot.path().equals("body") ? "" : slot.path();
        switch (slot.value()) {
            case Obj obj -> {
                for (int i = 0; i < obj.members().size(); i++) {
                    int index = i;
                    Member member = obj.members().get(i);
                    String path = prefix.isEmpty() ? member.key() : prefix + "." + member.key();
                    collect(
                            new Slot(path, member.value(), v -> obj.members().set(index, new Member(member.key(), v))),
                            slots);
                }
            }
            case Arr arr -> {
                for (int i = 0; i < arr.items().size(); i++) {
                    int index = i;
                    collect(
                            new Slot(
                                    prefix + "[" + i + "]",
                                    arr.items().get(i),
                                    v -> arr.items().set(index, v)),
                            slots);
                }
            }
            default -> {}
        }
    }
}
