package dev.herald.ops;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Collectors;

import jakarta.validation.ConstraintViolation;
import jakarta.validation.ConstraintViolationException;
import jakarta.validation.ElementKind;
import jakarta.validation.Path;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Response;

import org.jboss.logging.Logger;

import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.ForbiddenException;
import io.quarkus.security.UnauthorizedException;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

import com.fasterxml.jackson.core.JsonProcessingException;
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

    /** No token, or one that does not verify (signature, issuer, audience, expiry, algorithm). */
    @ServerExceptionMapper({ UnauthorizedException.class, AuthenticationFailedException.class })
    public Response unauthenticated(Exception e) {
        return Response.fromResponse(answer(Problem.of(401, "Unauthorized",
                "a valid bearer token is required (Authorization: Bearer <JWT>)")))
                .header("WWW-Authenticate", "Bearer").build();
    }

    @ServerExceptionMapper
    public Response forbidden(ForbiddenException e) {
        return answer(Problem.of(403, "Forbidden", "the token's roles do not allow this request"));
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
        return invalid(JsonErrors.field(e), JsonErrors.describe(e) + "; known fields: " + e.getKnownPropertyIds());
    }

    @ServerExceptionMapper
    public Response mismatchedInput(MismatchedInputException e) {
        return invalid(JsonErrors.field(e), JsonErrors.describe(e));
    }

    @ServerExceptionMapper
    public Response malformedJson(JsonProcessingException e) {
        String where = e.getLocation() == null ? ""
                : " at line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr();
        return answer(Problem.of(400, "Malformed JSON", JsonErrors.describe(e) + where));
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

    /**
     * "upsert.input.email" becomes "email" and "deliveries.limit" becomes "limit": callers know fields
     * and parameters, not Java methods. A violation of the body as a whole is "body".
     */
    private static String fieldOf(ConstraintViolation<?> v) {
        List<Path.Node> nodes = new ArrayList<>();
        v.getPropertyPath().forEach(nodes::add);
        if (v.getExecutableParameters() == null || nodes.size() < 2
                || nodes.get(1).getKind() != ElementKind.PARAMETER) {
            return v.getPropertyPath().toString();
        }
        if (nodes.size() > 2) {
            return nodes.subList(2, nodes.size()).stream().map(Path.Node::toString).collect(Collectors.joining("."));
        }
        int index = nodes.get(1).as(Path.ParameterNode.class).getParameterIndex();
        String name = parameterName(v.getRootBeanClass(), nodes.get(0).getName(), v.getExecutableParameters().length,
                index);
        return name == null ? "body" : name.isEmpty() ? nodes.get(1).getName() : name;
    }

    /**
     * The name the request gives a method parameter (a header's name, a query parameter's), "" when
     * the annotation takes the Java name, or null for the body. CDI subclasses repeat the method without
     * its annotations, so the declaring classes are searched.
     */
    private static String parameterName(Class<?> type, String method, int arity, int index) {
        for (Class<?> c = type; c != null && c != Object.class; c = c.getSuperclass()) {
            for (java.lang.reflect.Method m : c.getDeclaredMethods()) {
                if (!m.getName().equals(method) || m.getParameterCount() != arity) {
                    continue;
                }
                for (java.lang.annotation.Annotation a : m.getParameterAnnotations()[index]) {
                    String kind = a.annotationType().getSimpleName();
                    if (kind.matches("Rest(Path|Query|Header)|(Path|Query|Header)Param")) {
                        try {
                            return (String) a.annotationType().getMethod("value").invoke(a);
                        } catch (ReflectiveOperationException e) {
                            return "";
                        }
                    }
                }
            }
        }
        return null;
    }
}
