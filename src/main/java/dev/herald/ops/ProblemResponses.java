package dev.herald.ops;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.eclipse.microprofile.openapi.OASFactory;
import org.eclipse.microprofile.openapi.OASFilter;
import org.eclipse.microprofile.openapi.models.OpenAPI;
import org.eclipse.microprofile.openapi.models.Operation;
import org.eclipse.microprofile.openapi.models.media.Schema;

/** Documents the one error shape of the API: every operation may answer application/problem+json. */
public class ProblemResponses implements OASFilter {

    private static final String REF = "#/components/schemas/Problem";

    @Override
    public Operation filterOperation(Operation operation) {
        operation.getResponses().addAPIResponse("default", OASFactory.createAPIResponse()
                .description("An RFC 9457 problem: what is wrong and, for invalid input, which fields")
                .content(OASFactory.createContent().addMediaType(Problem.MEDIA_TYPE,
                        OASFactory.createMediaType().schema(OASFactory.createSchema().ref(REF)))));
        return operation;
    }

    @Override
    public void filterOpenAPI(OpenAPI openAPI) {
        Schema text = OASFactory.createSchema().addType(Schema.SchemaType.STRING);
        Map<String, Schema> fieldErrorProperties = new LinkedHashMap<>();
        fieldErrorProperties.put("field", text);
        fieldErrorProperties.put("message", text);
        Schema fieldError = OASFactory.createSchema().addType(Schema.SchemaType.OBJECT).properties(fieldErrorProperties);
        Map<String, Schema> properties = new LinkedHashMap<>();
        properties.put("type", text);
        properties.put("title", text);
        properties.put("status", OASFactory.createSchema().addType(Schema.SchemaType.INTEGER));
        properties.put("detail", text);
        properties.put("errors", OASFactory.createSchema().addType(Schema.SchemaType.ARRAY).items(fieldError));
        openAPI.getComponents().addSchema("Problem", OASFactory.createSchema()
                .addType(Schema.SchemaType.OBJECT)
                .properties(properties)
                .required(List.of("type", "title", "status")));
    }
}
