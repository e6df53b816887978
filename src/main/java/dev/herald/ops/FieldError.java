package dev.herald.ops;

/** One field of a request at fault, named as the caller wrote it ("templates.en.subject"). */
public record FieldError(String field, String message) {
}
