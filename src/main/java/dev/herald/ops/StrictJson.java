package dev.herald.ops;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import jakarta.inject.Singleton;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.KeyDeserializer;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.deser.std.JsonNodeDeserializer;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.deser.std.StdDeserializer;
import com.fasterxml.jackson.databind.deser.std.StringDeserializer;
import com.fasterxml.jackson.databind.module.SimpleModule;

import io.quarkus.jackson.ObjectMapperCustomizer;

/**
 * What Herald accepts in JSON, enforced where JSON is read, for every request body and every import
 * line alike: no NUL character in any string or key (PostgreSQL cannot store one in text), and no
 * number beyond what a double holds ({@code 1e999999} would otherwise be stored as "Infinity").
 * Free-form values (attributes, variables) are read through the same checks, and no document nests
 * deeper than {@code herald.input.json-depth}.
 */
@Singleton
public class StrictJson implements ObjectMapperCustomizer {

    static final String NUL = "must not contain a NUL character (\\u0000)";
    static final String OUT_OF_RANGE = "is a number beyond the range Herald stores (about ±1.8e308)";
    static final String NOT_SINGLE = "must be text, a number or true/false, not an object or a list";

    private final InputLimits limits;

    StrictJson(InputLimits limits) {
        this.limits = limits;
    }

    @Override
    public void customize(ObjectMapper mapper) {
        // Nesting is bounded where JSON is parsed, so deep audience criteria are refused before they are walked.
        mapper.getFactory().setStreamReadConstraints(StreamReadConstraints.builder()
                .maxNestingDepth(limits.jsonDepth()).build());
        mapper.enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES);
        // A key given twice would otherwise silently keep the last value.
        mapper.enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
        SimpleModule module = new SimpleModule("herald-strict-json");
        module.addDeserializer(String.class, new NoNulString());
        module.addKeyDeserializer(String.class, new NoNulKey());
        module.addDeserializer(Object.class, FREE_FORM);
        module.addDeserializer(Double.class, new FiniteDouble());
        module.addDeserializer(JsonNode.class, new CheckedTree());
        mapper.registerModule(module);
    }

    private static final class NoNulString extends StdDeserializer<String> {
        NoNulString() {
            super(String.class);
        }

        @Override
        public String deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
            String value = StringDeserializer.instance.deserialize(p, ctxt);
            if (value != null && value.indexOf('\0') >= 0) {
                return (String) ctxt.handleWeirdStringValue(String.class, value, NUL);
            }
            return value;
        }
    }

    private static final class NoNulKey extends KeyDeserializer {
        @Override
        public Object deserializeKey(String key, DeserializationContext ctxt) throws IOException {
            if (key.indexOf('\0') >= 0) {
                return ctxt.handleWeirdKey(String.class, key, NUL);
            }
            return key;
        }
    }

    private static final class FiniteDouble extends StdDeserializer<Double> {
        FiniteDouble() {
            super(Double.class);
        }

        @Override
        public Double deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
            double value = p.getValueAsDouble();
            if (!p.currentToken().isNumeric()) {
                return (Double) ctxt.handleUnexpectedToken(Double.class, p);
            }
            if (Double.isInfinite(value)) {
                return (Double) ctxt.handleWeirdNumberValue(Double.class, p.getNumberValue(), OUT_OF_RANGE);
            }
            return value;
        }
    }

    /** A JSON document kept as a tree (audience criteria), checked throughout like free-form values. */
    private static final class CheckedTree extends StdDeserializer<JsonNode> {
        CheckedTree() {
            super(JsonNode.class);
        }

        @Override
        public JsonNode deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
            JsonNode tree = TREE.deserialize(p, ctxt);
            FREE_FORM.plain(tree, ctxt);
            return tree;
        }

        @Override
        public JsonNode getNullValue(DeserializationContext ctxt) {
            return null;
        }
    }

    /**
     * A single value: text, a number, true/false or null, checked like any other. Customer attributes
     * are read this way, so templates and criteria can rely on them being one value each.
     */
    public static final class SingleValue extends StdDeserializer<Object> {
        public SingleValue() {
            super(Object.class);
        }

        @Override
        public Object deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
            if (p.currentToken() == JsonToken.START_OBJECT || p.currentToken() == JsonToken.START_ARRAY) {
                throw MismatchedInputException.from(p, Object.class, NOT_SINGLE);
            }
            return FREE_FORM.deserialize(p, ctxt);
        }
    }

    private static final FreeForm FREE_FORM = new FreeForm();

    /** Jackson's own tree reader: going through the mapper would come back to {@link CheckedTree}. */
    @SuppressWarnings("unchecked")
    private static final JsonDeserializer<JsonNode> TREE =
            (JsonDeserializer<JsonNode>) JsonNodeDeserializer.getDeserializer(JsonNode.class);

    /** A free-form value, read as a tree and checked throughout: maps, lists, strings, numbers, booleans, null. */
    private static final class FreeForm extends StdDeserializer<Object> {
        FreeForm() {
            super(Object.class);
        }

        @Override
        public Object deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
            return plain(TREE.deserialize(p, ctxt), ctxt);
        }

        private Object plain(JsonNode node, DeserializationContext ctxt) throws IOException {
            if (node.isObject()) {
                Map<String, Object> map = new LinkedHashMap<>();
                for (Iterator<Map.Entry<String, JsonNode>> fields = node.fields(); fields.hasNext();) {
                    Map.Entry<String, JsonNode> field = fields.next();
                    if (field.getKey().indexOf('\0') >= 0) {
                        return ctxt.handleWeirdKey(String.class, field.getKey(), NUL);
                    }
                    map.put(field.getKey(), plain(field.getValue(), ctxt));
                }
                return map;
            }
            if (node.isArray()) {
                List<Object> list = new ArrayList<>(node.size());
                for (JsonNode element : node) {
                    list.add(plain(element, ctxt));
                }
                return list;
            }
            if (node.isTextual()) {
                return node.textValue().indexOf('\0') >= 0
                        ? ctxt.handleWeirdStringValue(String.class, node.textValue(), NUL) : node.textValue();
            }
            if (node.isFloatingPointNumber() && Double.isInfinite(node.doubleValue())) {
                return ctxt.handleWeirdNumberValue(Double.class, node.numberValue(), OUT_OF_RANGE);
            }
            if (node.isNumber()) {
                return node.numberValue();
            }
            if (node.isBoolean()) {
                return node.booleanValue();
            }
            return null;
        }
    }
}
