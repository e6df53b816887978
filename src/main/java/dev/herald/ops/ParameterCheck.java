package dev.herald.ops;

import java.lang.annotation.Annotation;
import java.lang.reflect.Parameter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ResourceInfo;
import jakarta.ws.rs.core.MultivaluedMap;

import org.jboss.resteasy.reactive.RestPath;
import org.jboss.resteasy.reactive.RestQuery;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

/**
 * Checks every path and query parameter against the type its endpoint declares before the endpoint
 * is called: {@code /v1/notices/abc} or {@code ?status=HACKED} is a 400 naming the parameter and what
 * it takes (JAX-RS would answer a bare 404), and no parameter may carry a NUL character.
 */
public class ParameterCheck {

    private static final int ECHO = 60;

    @ServerRequestFilter
    public void check(ContainerRequestContext request, ResourceInfo resource) {
        if (resource.getResourceMethod() == null) {
            return;
        }
        MultivaluedMap<String, String> path = request.getUriInfo().getPathParameters();
        MultivaluedMap<String, String> query = request.getUriInfo().getQueryParameters();
        List<FieldError> errors = new ArrayList<>();
        for (Parameter parameter : resource.getResourceMethod().getParameters()) {
            Named named = named(parameter);
            List<String> values = named == null ? null : (named.inPath() ? path : query).get(named.name());
            for (String value : values == null ? List.<String>of() : values) {
                String problem = problemWith(parameter.getType(), value);
                if (problem != null) {
                    errors.add(new FieldError(named.name(), problem));
                }
            }
        }
        if (!errors.isEmpty()) {
            throw new InvalidInputException(errors);
        }
    }

    private static String problemWith(Class<?> type, String value) {
        if (value.indexOf('\0') >= 0) {
            return StrictJson.NUL;
        }
        if (type == long.class || type == Long.class || type == int.class || type == Integer.class) {
            try {
                if (type == long.class || type == Long.class) {
                    Long.parseLong(value);
                } else {
                    Integer.parseInt(value);
                }
                return null;
            } catch (NumberFormatException e) {
                return "must be a whole number" + (type == int.class || type == Integer.class ? " up to "
                        + Integer.MAX_VALUE : "") + "; got '" + echo(value) + "'";
            }
        }
        if (type.isEnum()) {
            List<String> names = Arrays.stream(type.getEnumConstants()).map(c -> ((Enum<?>) c).name()).toList();
            return names.contains(value) ? null : "must be one of " + names + "; got '" + echo(value) + "'";
        }
        return null;
    }

    /** Enough of a refused value to recognise it, without control characters. */
    private static String echo(String value) {
        String shown = value.length() > ECHO ? value.substring(0, ECHO) + "…" : value;
        return shown.replaceAll("\\p{Cntrl}", "?");
    }

    private record Named(String name, boolean inPath) {
    }

    /** The parameter's name in the request and whether it is in the path, or null when it is neither path nor query. */
    private static Named named(Parameter parameter) {
        for (Annotation annotation : parameter.getAnnotations()) {
            if (annotation instanceof RestPath rest) {
                return new Named(rest.value().isEmpty() ? parameter.getName() : rest.value(), true);
            } else if (annotation instanceof PathParam plain) {
                return new Named(plain.value(), true);
            } else if (annotation instanceof RestQuery rest) {
                return new Named(rest.value().isEmpty() ? parameter.getName() : rest.value(), false);
            } else if (annotation instanceof QueryParam plain) {
                return new Named(plain.value(), false);
            }
        }
        return null;
    }
}
