package io.numashift.web;

import io.numashift.web.ApiProblem.FieldError;
import java.util.Arrays;
import java.util.Collection;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;
import tools.jackson.core.TokenStreamLocation;
import tools.jackson.core.exc.InputCoercionException;
import tools.jackson.core.exc.StreamReadException;
import tools.jackson.databind.exc.InvalidNullException;
import tools.jackson.databind.exc.MismatchedInputException;
import tools.jackson.databind.exc.UnrecognizedPropertyException;
import tools.jackson.databind.exc.ValueInstantiationException;

/**
 * Names what is wrong with a body that could not be read: the field (a path such as {@code
 * targets[0].pids[1]}, or {@code body}) and what it should be in JSON terms (an integer, true or
 * false, an array…). Jackson's own messages name Java classes, so none of them is passed on.
 */
public final class JsonErrors {
    /** The field name of the body as a whole. */
    public static final String BODY = "body";

    private JsonErrors() {}

    /** The field and what is wrong with it. */
    static FieldError describe(Throwable unreadable) {
        JacksonException jackson = find(unreadable, JacksonException.class);
        if (jackson == null) {
            return new FieldError(BODY, "a JSON body is required");
        }
        String field = field(jackson);
        if (jackson instanceof UnrecognizedPropertyException unknown) {
            return new FieldError(field, "unknown field; known fields: " + known(unknown.getKnownPropertyIds()));
        }
        if (jackson instanceof StrictJson.UnstorableText) {
            return new FieldError(field, "text with no NUL character and no unpaired surrogate");
        }
        if (jackson instanceof InvalidNullException) {
            return new FieldError(field, "must not be null");
        }
        if (jackson instanceof MismatchedInputException mismatch
                && String.valueOf(mismatch.getOriginalMessage()).startsWith("Trailing token")) {
            return new FieldError(field, "one JSON value only; something follows it");
        }
        if (jackson instanceof MismatchedInputException mismatch && mismatch.getTargetType() != null) {
            return new FieldError(field, "expected " + expected(mismatch.getTargetType()));
        }
        if (jackson instanceof ValueInstantiationException instantiation) {
            Class<?> type = instantiation.getType().getRawClass();
            return new FieldError(field, "expected " + expected(type));
        }
        if (jackson instanceof InputCoercionException) {
            return new FieldError(field, "a number out of range");
        }
        if (jackson instanceof StreamReadException read) {
            String original = String.valueOf(read.getOriginalMessage());
            if (original.startsWith("Duplicate")) {
                return new FieldError(field, "appears twice; every key may appear once");
            }
            return new FieldError(field, "not valid JSON" + at(read.getLocation()));
        }
        return new FieldError(field, "not a valid value");
    }

    /** What a value of this type is, in JSON terms. */
    public static String expected(Class<?> type) {
        Expected described = type.getAnnotation(Expected.class);
        if (described != null) {
            return described.value();
        }
        if (type == int.class || type == long.class) {
            return "an integer (required)";
        }
        if (type == double.class || type == float.class) {
            return "a number (required)";
        }
        if (type == boolean.class) {
            return "true or false (required)";
        }
        if (type == Integer.class || type == Long.class) {
            return "an integer";
        }
        if (type == Double.class || type == Float.class) {
            return "a number";
        }
        if (type == Boolean.class) {
            return "true or false";
        }
        if (type == String.class || type == java.util.UUID.class) {
            return "a string";
        }
        if (type.isEnum()) {
            return "one of " + Arrays.toString(type.getEnumConstants());
        }
        if (type.isArray() || Collection.class.isAssignableFrom(type)) {
            return "an array";
        }
        return "an object";
    }

    /**
     * What a value of the annotated type is, in JSON terms, for types that are not a plain JSON type
     * (an address is a hex string or a number).
     */
    @java.lang.annotation.Retention(java.lang.annotation.RetentionPolicy.RUNTIME)
    @java.lang.annotation.Target(java.lang.annotation.ElementType.TYPE)
    public @interface Expected {
        String value();
    }

    private static String field(JacksonException e) {
        if (e instanceof StreamReadException read && read.processor() != null) {
            // Errors of the parser itself (a duplicate key, a number out of range, malformed JSON):
            // the parser knows where it was, down to the key it just read.
            String path = pointerToPath(
                    read.processor().streamReadContext().pathAsPointer().toString());
            return path.isEmpty() ? BODY : shortened(path);
        }
        StringBuilder path = new StringBuilder();
        for (JacksonException.Reference reference : e.getPath()) {
            if (reference.getPropertyName() != null && reference.from() instanceof Map) {
                // A key of a map (labels, counts by reason): written as Bean Validation writes it.
                path.append('[').append(reference.getPropertyName()).append(']');
            } else if (reference.getPropertyName() != null) {
                if (!path.isEmpty()) {
                    path.append('.');
                }
                path.append(reference.getPropertyName());
            } else if (reference.getIndex() >= 0) {
                path.append('[').append(reference.getIndex()).append(']');
            }
        }
        return path.isEmpty() ? BODY : shortened(path.toString());
    }

    /** A field as sent, cut short: a key of a megabyte is not worth sending back. */
    private static String shortened(String path) {
        return path.length() <= 200 ? path : path.substring(0, 200) + "…";
    }

    private static String pointerToPath(String pointer) {
        StringBuilder path = new StringBuilder();
        for (String segment : pointer.split("/")) {
            if (segment.isEmpty()) {
                continue;
            }
            if (segment.chars().allMatch(Character::isDigit)) {
                path.append('[').append(segment).append(']');
            } else {
                if (!path.isEmpty()) {
                    path.append('.');
                }
                path.append(segment.replace("~1", "/").replace("~0", "~"));
            }
        }
        return path.toString();
    }

    private static String known(@Nullable Collection<Object> ids) {
        return ids == null
                ? "[]"
                : ids.stream().map(String::valueOf).sorted().toList().toString();
    }

    private static String at(@Nullable TokenStreamLocation location) {
        if (location == null || location.getLineNr() < 0) {
            return "";
        }
        return " (line " + location.getLineNr() + ", column " + location.getColumnNr() + ")";
    }

    private static <T extends Throwable> @Nullable T find(Throwable e, Class<T> type) {
        for (Throwable cause = e; cause != null; cause = cause.getCause()) {
            if (type.isInstance(cause)) {
                return type.cast(cause);
            }
        }
        return null;
    }
}
