package dev.herald.ops;

import java.util.List;

import com.fasterxml.jackson.annotation.JsonInclude;

/** An RFC 9457 problem document; {@code errors} lists the fields at fault for validation problems. */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public record Problem(String type, String title, int status, String detail, List<FieldError> errors) {

    public static final String MEDIA_TYPE = "application/problem+json";

    static String typeFor(int status) {
        return "https://herald.dev/problems/" + status;
    }

    static Problem of(int status, String title, String detail) {
        return new Problem(typeFor(status), title, status, detail, List.of());
    }

    static Problem invalid(List<FieldError> errors) {
        return new Problem(typeFor(400), "Invalid request", 400, new InvalidInputException(errors).getMessage(), errors);
    }
}
