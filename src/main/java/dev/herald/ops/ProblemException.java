package dev.herald.ops;

import java.util.List;

import dev.herald.ops.Problem.FieldError;

/** A failure that the caller caused and can fix; answered as problem+json with its status. */
public class ProblemException extends RuntimeException {

    private final int status;
    private final String title;
    private final List<FieldError> errors;

    public ProblemException(int status, String title, String detail, List<FieldError> errors) {
        super(detail);
        this.status = status;
        this.title = title;
        this.errors = List.copyOf(errors);
    }

    public ProblemException(int status, String title, String detail) {
        this(status, title, detail, List.of());
    }

    public static ProblemException notFound(String what, Object id) {
        return new ProblemException(404, "Not found", what + " '" + id + "' does not exist");
    }

    public static ProblemException conflict(String detail) {
        return new ProblemException(409, "Conflict", detail);
    }

    public static ProblemException invalid(List<FieldError> errors) {
        String detail = errors.size() == 1 ? errors.get(0).field() + ": " + errors.get(0).message()
                : errors.size() + " fields are invalid";
        return new ProblemException(400, "Invalid request", detail, errors);
    }

    public static ProblemException invalid(String field, String message) {
        return invalid(List.of(new FieldError(field, message)));
    }

    public Problem toProblem() {
        return new Problem(ProblemMappers.typeFor(status), title, status, getMessage(), errors);
    }
}
