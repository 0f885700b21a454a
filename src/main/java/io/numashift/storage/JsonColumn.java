package io.numashift.storage;

import jakarta.persistence.AttributeConverter;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

/**
 * A value stored as JSON text (portable between H2 and PostgreSQL); one subclass per stored type.
 *
 * @param <T> the stored type
 */
public abstract class JsonColumn<T> implements AttributeConverter<T, String> {
    /** The mapper of stored JSON: plain Jackson, independent of the web layer's settings. */
    public static final JsonMapper MAPPER = JsonMapper.builder().build();

    private final TypeReference<T> type;

    protected JsonColumn(TypeReference<T> type) {
        this.type = type;
    }

    @Override
    public String convertToDatabaseColumn(T value) {
        return MAPPER.writeValueAsString(value);
    }

    @Override
    public T convertToEntityAttribute(String json) {
        return MAPPER.readValue(json, type);
    }
}
