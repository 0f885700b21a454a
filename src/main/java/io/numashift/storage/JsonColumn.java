package io.numashift.storage;

import jakarta.persistence.AttributeConverter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.core.JacksonException;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.json.JsonMapper;

/**
 * A value stored as JSON text (portable between H2 and PostgreSQL); one subclass per stored type.
 *
 * <p>Everything is validated before it is stored, but what is stored must never make a read fail
 * (a row written by another version, or by hand): text that cannot be read as the type gives the
 * subclass's {@code unreadable} value, and a warning in the log, instead of an error.
 *
 * @param <T> the stored type
 */
public abstract class JsonColumn<T> implements AttributeConverter<T, String> {
    private static final Logger log = LoggerFactory.getLogger(JsonColumn.class);

    /** The mapper of stored JSON: plain Jackson, independent of the web layer's strict settings. */
    public static final JsonMapper MAPPER = JsonMapper.builder()
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .build();

    private final TypeReference<T> type;
    private final T unreadable;

    /**
     * @param type the stored type
     * @param unreadable what a value reads as when its text cannot be read
     */
    protected JsonColumn(TypeReference<T> type, T unreadable) {
        this.type = type;
        this.unreadable = unreadable;
    }

    @Override
    public String convertToDatabaseColumn(T value) {
        return MAPPER.writeValueAsString(value);
    }

    @Override
    public T convertToEntityAttribute(String json) {
        try {
            return MAPPER.readValue(json, type);
        } catch (JacksonException | IllegalArgumentException | NullPointerException e) {
            log.warn(
                    "a stored {} cannot be read ({}); it reads as empty",
                    getClass().getSimpleName(),
                    firstLine(e));
            return unreadable;
        }
    }

    private static String firstLine(Exception e) {
        String message = String.valueOf(e.getMessage());
        int newline = message.indexOf('\n');
        return newline < 0 ? message : message.substring(0, newline);
    }
}
