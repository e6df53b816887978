package dev.herald.ops;

import java.math.BigInteger;
import java.util.Arrays;
import java.util.Collection;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;

/**
 * What is wrong with a JSON document or line, in the caller's terms: the field, and what was expected
 * there ("an integer", "one of [EMAIL, PUSH]"), never the Java types or library limits Jackson names.
 */
public final class JsonErrors {

    private static final Pattern LIMIT = Pattern.compile("\\((\\d+)\\) exceeds the maximum allowed \\((\\d+)");

    private JsonErrors() {
    }

    /** The field at fault, as the caller wrote it ("templates.en.subject", "tags[2]"), or "body". */
    public static String field(JsonProcessingException e) {
        if (!(e instanceof MismatchedInputException m)) {
            return "body";
        }
        StringBuilder path = new StringBuilder();
        for (var ref : m.getPath()) {
            if (ref.getFieldName() != null) {
                path.append(path.isEmpty() ? "" : ".").append(ref.getFieldName());
            } else if (ref.getIndex() >= 0) {
                path.append('[').append(ref.getIndex()).append(']');
            }
        }
        return path.isEmpty() ? "body" : path.toString();
    }

    /** What is wrong with what a reader could not read, in the same terms; exceptions that wrap one are unwrapped. */
    public static String describe(RuntimeException e) {
        for (Throwable cause = e; cause != null; cause = cause.getCause()) {
            if (cause instanceof JsonProcessingException json) {
                return describe(json);
            }
        }
        return String.valueOf(e.getMessage()).replaceAll("\\s+", " ").strip();
    }

    /** What is wrong, without the field. */
    public static String describe(JsonProcessingException e) {
        String message = e.getOriginalMessage() == null ? "" : e.getOriginalMessage();
        if (e instanceof UnrecognizedPropertyException u) {
            return "unknown field '" + u.getPropertyName() + "'";
        }
        for (String own : new String[] { StrictJson.NUL, StrictJson.OUT_OF_RANGE, StrictJson.NOT_SINGLE }) {
            if (message.endsWith(own)) {
                return own;
            }
        }
        if (e instanceof MismatchedInputException m) {
            return "expected " + kind(m.getTargetType());
        }
        if (message.contains("StreamReadConstraints")) {
            Matcher limit = LIMIT.matcher(message);
            String allowed = limit.find() ? limit.group(2) : "the allowed";
            if (message.contains("nesting depth")) {
                return "the JSON is nested deeper than " + allowed + " levels";
            }
            if (message.contains("Number value length")) {
                return "a number is longer than " + allowed + " digits";
            }
            return "a value is longer than " + allowed + " characters";
        }
        return message.replaceAll("\\s+", " ").strip();
    }

    /** A JSON word for what a Java type reads. */
    static String kind(Class<?> type) {
        if (type == null) {
            return "a value";
        }
        if (type.isEnum()) {
            return "one of " + Arrays.toString(type.getEnumConstants());
        }
        if (type == String.class || type == Character.class || type == char.class) {
            return "a string";
        }
        if (type == Integer.class || type == int.class) {
            return "an integer from " + Integer.MIN_VALUE + " to " + Integer.MAX_VALUE;
        }
        if (type == Long.class || type == long.class || type == BigInteger.class) {
            return "an integer from " + Long.MIN_VALUE + " to " + Long.MAX_VALUE;
        }
        if (Number.class.isAssignableFrom(type) || type == double.class || type == float.class) {
            return "a number";
        }
        if (type == Boolean.class || type == boolean.class) {
            return "true or false";
        }
        if (Collection.class.isAssignableFrom(type) || type.isArray()) {
            return "an array";
        }
        if (JsonNode.class.isAssignableFrom(type)) {
            return "a JSON value";
        }
        return Map.class.isAssignableFrom(type) || !type.isPrimitive() ? "an object" : "a value";
    }
}
