package dev.herald.ops;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.quarkus.vertx.http.runtime.filters.Filters;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.RoutingContext;

/**
 * The limits every request meets before any endpoint reads it, answered as problem+json like every
 * other error: the length of the request line (414), the size of the headers (431), a body without a
 * Content-Type (415), and the size of a JSON body (413). Vert.x's own limits sit far above these
 * (application.properties), so it is Herald, not the HTTP codec, that refuses and says why.
 */
@ApplicationScoped
public class HttpLimits {

    /** Bodies that stream line by line, of any length: customer imports and affected-account lists. */
    private static final String[] STREAMED = { "application/x-ndjson", "text/csv" };

    private final InputLimits limits;
    private final ObjectMapper json;

    HttpLimits(InputLimits limits, ObjectMapper json) {
        this.limits = limits;
        this.json = json;
    }

    void register(@Observes Filters filters) {
        filters.register(this::check, 1000);
    }

    private void check(RoutingContext rc) {
        HttpServerRequest request = rc.request();
        String problem = null;
        int status = 0;
        if (request.uri().length() > limits.url()) {
            status = 414;
            problem = "the request line's address is " + request.uri().length() + " characters; at most " + limits.url()
                    + " are accepted";
        } else if (headerBytes(request) > limits.headers()) {
            status = 431;
            problem = "the request's headers take " + headerBytes(request) + " bytes; at most " + limits.headers()
                    + " are accepted";
        } else if (hasBody(request)) {
            String type = request.getHeader(HttpHeaders.CONTENT_TYPE);
            String length = request.getHeader(HttpHeaders.CONTENT_LENGTH);
            if (type == null || type.isBlank()) {
                status = 415;
                problem = "the request has a body but no Content-Type; send application/json, or for imports "
                        + "application/x-ndjson or text/csv";
            } else if (!streamed(type) && length == null) {
                status = 411;
                problem = "a " + type.split(";")[0].strip() + " body must state its Content-Length (at most "
                        + limits.jsonBody() + " bytes); only imports stream";
            } else if (!streamed(type) && lengthOf(length) > limits.jsonBody()) {
                status = 413;
                problem = "the body is " + length + " bytes; at most " + limits.jsonBody() + " are accepted here "
                        + "(imports stream and are not limited this way)";
            }
        }
        if (problem == null) {
            rc.next();
            return;
        }
        answer(rc, Problem.of(status, statusTitle(status), problem));
    }

    private void answer(RoutingContext rc, Problem problem) {
        try {
            rc.response().setStatusCode(problem.status())
                    .putHeader(HttpHeaders.CONTENT_TYPE, Problem.MEDIA_TYPE)
                    // The body may still be arriving: close the connection rather than read it.
                    .putHeader(HttpHeaders.CONNECTION, "close")
                    .end(json.writeValueAsString(problem));
        } catch (JsonProcessingException e) {
            rc.fail(e);
        }
    }

    private static boolean hasBody(HttpServerRequest request) {
        if (request.method() == HttpMethod.GET || request.method() == HttpMethod.HEAD) {
            return false;
        }
        String length = request.getHeader(HttpHeaders.CONTENT_LENGTH);
        return length != null ? !length.equals("0") : request.getHeader(HttpHeaders.TRANSFER_ENCODING) != null;
    }

    /** Netty has already refused a Content-Length that is not a number; this only guards the parse. */
    private static long lengthOf(String length) {
        try {
            return Long.parseLong(length.strip());
        } catch (NumberFormatException e) {
            return Long.MAX_VALUE;
        }
    }

    private static boolean streamed(String type) {
        String lower = type.toLowerCase(java.util.Locale.ROOT);
        for (String s : STREAMED) {
            if (lower.startsWith(s)) {
                return true;
            }
        }
        return false;
    }

    private static int headerBytes(HttpServerRequest request) {
        int bytes = 0;
        for (var header : request.headers()) {
            bytes += header.getKey().length() + header.getValue().length() + 4;
        }
        return bytes;
    }

    private static String statusTitle(int status) {
        return switch (status) {
            case 411 -> "Length required";
            case 413 -> "Body too large";
            case 414 -> "Address too long";
            case 415 -> "Content-Type required";
            default -> "Headers too large";
        };
    }
}
