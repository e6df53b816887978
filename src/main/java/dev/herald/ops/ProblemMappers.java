package dev.herald.ops;

import java.util.Comparator;
import java.util.List;

import jakarta.validation.ConstraintViolation;
import jakarta.validation.ConstraintViolationException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Response;

import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;


/** Turns every failure into application/problem+json, so callers parse one error shape. */
public class ProblemMappers {

    private static final Logger LOG = Logger.getLogger(ProblemMappers.class);

    static Response answer(Problem problem) {
        return Response.status(problem.status()).type(Problem.MEDIA_TYPE).entity(problem).build();
    }

    @ServerExceptionMapper
    public Response invalidInput(InvalidInputException e) {
        return answer(Problem.invalid(e.errors()));
    }

    @ServerExceptionMapper
    public Response notFound(NotFoundException e) {
        return answer(Problem.of(404, "Not found", e.getMessage()));
    }

    @ServerExceptionMapper
    public Response conflict(ConflictException e) {
        return answer(Problem.of(409, "Conflict", e.getMessage()));
    }

    @ServerExceptionMapper
    public Response refused(RefusedException e) {
        int status = switch (e.reason()) {
            case UNPROCESSABLE -> 422;
            case UNAUTHENTICATED -> 401;
            case FORBIDDEN -> 403;
        };
        return answer(Problem.of(status, e.title(), e.getMessage()));
    }

    @ServerExceptionMapper
    public Response constraintViolation(ConstraintViolationException e) {
        List<FieldError> errors = e.getConstraintViolations().stream()
                .map(v -> new FieldError(fieldOf(v), v.getMessage()))
                .sorted(Comparator.comparing(FieldError::field))
                .toList();
        return answer(Problem.invalid(errors));
    }

    @ServerExceptionMapper
    public Response unknownField(UnrecognizedPropertyException e) {
        return invalid(pathOf(e), "unknown field '" + e.getPropertyName()
                + "'; known fields: " + e.getKnownPropertyIds());
    }

    @ServerExceptionMapper
    public Response wrongType(InvalidFormatException e) {
        return invalid(pathOf(e),
                "cannot read '" + e.getValue() + "' as " + e.getTargetType().getSimpleName());
    }

    @ServerExceptionMapper
    public Response mismatchedInput(MismatchedInputException e) {
        return invalid(pathOf(e), e.getOriginalMessage());
    }

    @ServerExceptionMapper
    public Response malformedJson(JsonProcessingException e) {
        String where = e.getLocation() == null ? ""
                : " at line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr();
        return answer(Problem.of(400, "Malformed JSON", e.getOriginalMessage() + where));
    }

    @ServerExceptionMapper
    public Response webApplication(WebApplicationException e) {
        // A body that is not JSON at all reaches us wrapped in a 400; say what is wrong with it.
        if (e.getCause() instanceof MismatchedInputException m) {
            return mismatchedInput(m);
        }
        if (e.getCause() instanceof JsonProcessingException j) {
            return malformedJson(j);
        }
        Response.StatusType status = e.getResponse().getStatusInfo();
        return answer(Problem.of(status.getStatusCode(), status.getReasonPhrase(), e.getMessage()));
    }

    @ServerExceptionMapper
    public Response unexpected(Exception e) {
        LOG.error("Unexpected failure while serving a request", e);
        return answer(Problem.of(500, "Internal error",
                "The request failed on the server; it has been logged"));
    }

    private static Response invalid(String field, String message) {
        return answer(Problem.invalid(List.of(new FieldError(field, message))));
    }

    private static String pathOf(MismatchedInputException e) {
        StringBuilder path = new StringBuilder();
        for (var ref : e.getPath()) {
            if (ref.getFieldName() != null) {
                path.append(path.isEmpty() ? "" : ".").append(ref.getFieldName());
            } else if (ref.getIndex() >= 0) {
                path.append('[').append(ref.getIndex()).append(']');
            }
        }
        return path.isEmpty() ? "body" : path.toString();
    }

    /** "upsert.input.email" becomes "email": callers know fields, not Java method parameters. */
    private static String fieldOf(ConstraintViolation<?> v) {
        String path = v.getPropertyPath().toString();
        String[] parts = path.split("\\.", 3);
        return parts.length == 3 && v.getExecutableParameters() != null ? parts[2]
                : parts.length == 2 && v.getExecutableParameters() != null ? "body" : path;
    }
}
