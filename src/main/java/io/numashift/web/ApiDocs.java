package io.numashift.web;

import io.swagger.v3.core.converter.AnnotatedType;
import io.swagger.v3.core.converter.ModelConverter;
import io.swagger.v3.core.converter.ModelConverterContext;
import io.swagger.v3.core.converter.ModelConverters;
import io.swagger.v3.core.converter.ResolvedSchema;
import io.swagger.v3.core.util.Json;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.Operation;
import io.swagger.v3.oas.models.PathItem;
import io.swagger.v3.oas.models.media.Content;
import io.swagger.v3.oas.models.media.IntegerSchema;
import io.swagger.v3.oas.models.media.MediaType;
import io.swagger.v3.oas.models.media.Schema;
import io.swagger.v3.oas.models.media.StringSchema;
import io.swagger.v3.oas.models.responses.ApiResponse;
import io.swagger.v3.oas.models.responses.ApiResponses;
import java.lang.reflect.RecordComponent;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import org.springdoc.core.customizers.OpenApiCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The errors of the OpenAPI document, in one place: every operation may answer {@code 400} (a
 * malformed request), {@code 401} (no known token), {@code 403} ({@code EPERM}), {@code 406} (an
 * {@code Accept} it cannot answer), {@code 429} (busy: try again after {@code Retry-After}) and
 * {@code 503} (the database is away); operations with a body
 * also {@code 413} and {@code 415}. Every error is a {@code Problem} in {@code
 * application/problem+json}; the operations declare their own successes and their own specific
 * errors (404, 409, 422). Addresses are described as what they are on the wire, and a record's
 * primitive components as required.
 */
@Configuration
class ApiDocs {
    private static final String PROBLEM_JSON = "application/problem+json";
    private static final String ADDRESS = "Address";

    @Bean
    OpenApiCustomizer errorResponses() {
        return api -> {
            ResolvedSchema problem = ModelConverters.getInstance()
                    .resolveAsResolvedSchema(new AnnotatedType(ApiProblem.Body.class).resolveAsRef(false));
            api.getComponents().addSchemas("Problem", problem.schema);
            problem.referencedSchemas.forEach(api.getComponents()::addSchemas);
            api.getComponents().addSchemas(ADDRESS, address());
            for (PathItem path : api.getPaths().values()) {
                for (Operation operation : path.readOperations()) {
                    document(operation);
                }
            }
            dropUnreferenced(api);
        };
    }

    /**
     * Lists a record's primitive components ({@code int epoch}, {@code long pagesMoved}) as required:
     * the strict reader refuses a body without them rather than reading 0 ({@link StrictJson}), and
     * the service always writes them. springdoc lists only components annotated {@code @NotNull}.
     */
    @Bean
    ModelConverter primitivesRequired() {
        return new ModelConverter() {
            @Override
            public @Nullable Schema resolve(
                    AnnotatedType type, ModelConverterContext context, Iterator<ModelConverter> chain) {
                Schema<?> schema = chain.hasNext() ? chain.next().resolve(type, context, chain) : null;
                Class<?> raw = Json.mapper().constructType(type.getType()).getRawClass();
                if (schema == null || !raw.isRecord()) {
                    return schema;
                }
                // A record met as a property comes back as a $ref; its model is the one defined.
                Schema<?> model = schema.get$ref() == null
                        ? schema
                        : context.getDefinedModels()
                                .get(schema.get$ref().substring(schema.get$ref().lastIndexOf('/') + 1));
                if (model == null || model.getProperties() == null) {
                    return schema;
                }
                for (RecordComponent component : raw.getRecordComponents()) {
                    String name = component.getName();
                    if (component.getType().isPrimitive()
                            && model.getProperties().containsKey(name)
                            && (model.getRequired() == null
                                    || !model.getRequired().contains(name))) {
                        model.addRequiredItem(name);
                    }
                }
                return schema;
            }
        };
    }

    /** An address is a hex string or an integer, not the record that holds it after reading. */
    private static Schema<?> address() {
        return new Schema<>()
                .description("a virtual address: a hex string such as \"0x7f0000000000\", or a non-negative integer")
                .oneOf(List.of(
                        new StringSchema().pattern("(0[xX][0-9a-fA-F]{1,16}|[0-9]{1,19})"),
                        new IntegerSchema().format("int64").minimum(java.math.BigDecimal.ZERO)))
                .example("0x7f0000000000");
    }

    /**
     * Removes component schemas that no operation or other schema refers to (the framework
     * registers the types of some return values, such as an event stream's emitter, that are never
     * what goes over the wire).
     */
    private static void dropUnreferenced(OpenAPI api) {
        var schemas = api.getComponents().getSchemas();
        while (true) {
            String json = Json.pretty(api.getPaths()) + Json.pretty(schemas);
            Set<String> unused = new HashSet<>();
            for (String name : schemas.keySet()) {
                if (!json.contains("\"#/components/schemas/" + name + "\"")) {
                    unused.add(name);
                }
            }
            if (unused.isEmpty()) {
                return;
            }
            unused.forEach(schemas::remove);
        }
    }

    private static void document(Operation operation) {
        ApiResponses responses = operation.getResponses();
        add(responses, "400", "EINVAL: the request is malformed or its input invalid (errors name the fields)");
        add(responses, "401", "UNAUTHORIZED: no known bearer token");
        add(responses, "403", "EPERM: the token lacks the role (or, for agents, the host)");
        add(responses, "406", "EINVAL: the Accept header allows none of the answer's media types");
        add(responses, "429", "BUSY: the service is busy; try again after Retry-After seconds");
        add(responses, "503", "UNAVAILABLE: the database is away; try again");
        if (operation.getRequestBody() != null) {
            add(responses, "413", "EINVAL: the body is too large");
            add(responses, "415", "EINVAL: the body is not application/json");
        }
        for (Map.Entry<String, ApiResponse> response : responses.entrySet()) {
            int status = Integer.parseInt(response.getKey());
            if (status >= 400) {
                response.getValue()
                        .setContent(new Content()
                                .addMediaType(
                                        PROBLEM_JSON,
                                        new MediaType().schema(new Schema<>().$ref("#/components/schemas/Problem"))));
            } else if (status == 204) {
                response.getValue().setContent(null);
            }
        }
    }

    private static void add(ApiResponses responses, String status, String description) {
        if (!responses.containsKey(status)) {
            responses.addApiResponse(status, new ApiResponse().description(description));
        }
    }
}
