package dev.herald.console;

import java.util.Set;

import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.HttpHeaders;

import org.jboss.resteasy.reactive.server.ServerRequestFilter;

import dev.herald.ops.RefusedException;

/**
 * The API also accepts the console's session cookie, which a browser adds to any request to Herald,
 * including one another page on the same site makes it send. So a call that changes something and
 * carries cookies but no Authorization header must come from the console's own pages: htmx marks
 * them with HX-Request, a header a form cannot send and a script elsewhere cannot without CORS, which
 * Herald does not grant.
 */
public class ConsoleSessionGuard {

    private static final Set<String> SAFE = Set.of("GET", "HEAD", "OPTIONS");

    @ServerRequestFilter(preMatching = true)
    public void refuseForeignCalls(ContainerRequestContext request) {
        String authorization = request.getHeaderString(HttpHeaders.AUTHORIZATION);
        if (SAFE.contains(request.getMethod()) || !request.getUriInfo().getPath().startsWith("/v1/")
                || authorization != null && !authorization.isBlank()
                || request.getHeaderString(HttpHeaders.COOKIE) == null
                || request.getHeaderString("HX-Request") != null) {
            return;
        }
        throw new RefusedException(RefusedException.Reason.FORBIDDEN, "Forbidden",
                "a change made with the console's session must come from the console's pages (HX-Request); "
                        + "other callers send their token in the Authorization header");
    }
}
