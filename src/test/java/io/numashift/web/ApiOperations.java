package io.numashift.web;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;

/**
 * The service's OpenAPI document read as what a client can call: each operation with its
 * parameters, its request body's schema and the statuses (and media types) it documents; and the
 * component schemas that {@code $ref}s point at.
 *
 * @param operations every operation of the document
 * @param components the component schemas by name
 */
record ApiOperations(List<Operation> operations, Map<String, JsonNode> components) {

    /**
     * One operation.
     *
     * @param method GET or POST
     * @param path the path template, such as {@code /api/v1/jobs/{id}}
     * @param parameters path, query and header parameters
     * @param body the request body's schema, or null when the operation takes none
     * @param answers each documented status with the media types of its content (empty when it has
     *     no content)
     */
    record Operation(
            String method,
            String path,
            List<Parameter> parameters,
            @Nullable JsonNode body,
            Map<Integer, Set<String>> answers) {

        boolean documents(int status) {
            return answers.containsKey(status);
        }

        /** Whether the operation streams server-sent events. */
        boolean streams() {
            return answers.values().stream().anyMatch(types -> types.contains("text/event-stream"));
        }

        /** Whether the operation is part of the agent protocol (agent tokens only). */
        boolean agentProtocol() {
            return path.startsWith("/api/v1/agents/") || path.startsWith("/api/v1/tasks/");
        }

        @Override
        public String toString() {
            return method + " " + path;
        }
    }

    /**
     * A parameter.
     *
     * @param name its name
     * @param in {@code path}, {@code query} or {@code header}
     * @param required whether it must be given
     * @param schema its schema
     */
    record Parameter(String name, String in, boolean required, JsonNode schema) {}

    /** Reads a document as {@code /v3/api-docs} answers it. */
    static ApiOperations of(JsonNode document) {
        Map<String, JsonNode> components = new TreeMap<>();
        document.path("components").path("schemas").properties().forEach(e -> components.put(e.getKey(), e.getValue()));
        List<Operation> operations = new ArrayList<>();
        document.path("paths")
                .properties()
                .forEach(path -> path.getValue()
                        .properties()
                        .forEach(method ->
                                operations.add(operation(path.getKey(), method.getKey(), method.getValue()))));
        operations.sort((a, b) -> a.toString().compareTo(b.toString()));
        return new ApiOperations(List.copyOf(operations), Map.copyOf(components));
    }

    /** The schema itself, or the component its {@code $ref} names. */
    JsonNode resolve(JsonNode schema) {
        JsonNode resolved = schema;
        while (resolved.has("$ref")) {
            String ref = resolved.get("$ref").asString();
            JsonNode component = components.get(ref.substring(ref.lastIndexOf('/') + 1));
            if (component == null) {
                throw new IllegalStateException("the document refers to " + ref + ", which it does not define");
            }
            resolved = component;
        }
        return resolved;
    }

    /** Every value of every enum in the document: names an agent or a client might use as map keys. */
    List<String> enumValues() {
        Set<String> values = new TreeSet<>();
        components.values().forEach(schema -> enumValues(schema, values));
        return List.copyOf(values);
    }

    /** The enum of the first property of this name in the document's schemas, or none. */
    List<String> enumOf(String property) {
        for (JsonNode schema : components.values()) {
            JsonNode values = schema.path("properties").path(property).path("enum");
            if (values.isArray()) {
                List<String> names = new ArrayList<>();
                values.forEach(v -> names.add(v.asString()));
                return List.copyOf(names);
            }
        }
        return List.of();
    }

    private static void enumValues(JsonNode node, Set<String> values) {
        if (node.has("enum")) {
            node.get("enum").forEach(v -> values.add(v.asString()));
        }
        node.forEach(child -> enumValues(child, values));
    }

    private static Operation operation(String path, String method, JsonNode operation) {
        List<Parameter> parameters = new ArrayList<>();
        operation
                .path("parameters")
                .forEach(p -> parameters.add(new Parameter(
                        p.get("name").asString(),
                        p.get("in").asString(),
                        p.path("required").asBoolean(false),
                        p.path("schema"))));
        JsonNode body = operation
                .path("requestBody")
                .path("content")
                .path("application/json")
                .path("schema");
        Map<Integer, Set<String>> answers = new TreeMap<>();
        operation.path("responses").properties().forEach(response -> {
            Set<String> types = new TreeSet<>();
            response.getValue().path("content").propertyNames().forEach(types::add);
            answers.put(Integer.parseInt(response.getKey()), types);
        });
        return new Operation(
                method.toUpperCase(),
                path,
                List.copyOf(parameters),
                body.isMissingNode() ? null : body,
                Map.copyOf(answers));
    }
}
