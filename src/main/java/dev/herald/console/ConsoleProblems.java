package dev.herald.console;

import java.net.URI;

import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerResponseContext;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriBuilder;

import org.jboss.resteasy.reactive.server.ServerResponseFilter;

import dev.herald.ops.Problem;
import io.quarkus.qute.CheckedTemplate;
import io.quarkus.qute.TemplateInstance;

/**
 * The API answers every failure as problem+json; on a console page a person gets a page instead, and
 * one who is not signed in is sent to sign in and brought back.
 */
public class ConsoleProblems {

    @CheckedTemplate
    static class Templates {
        static native TemplateInstance problem(Problem problem);
    }

    @ServerResponseFilter
    public void asPage(ContainerRequestContext request, ContainerResponseContext response) {
        String path = request.getUriInfo().getPath();
        if (!path.startsWith("/console") || !(response.getEntity() instanceof Problem problem)) {
            return;
        }
        if (problem.status() == 401) {
            // A fragment htmx loaded names the page it is part of: that page is where to come back to.
            URI uri = request.getUriInfo().getRequestUri();
            String page = request.getHeaderString("HX-Current-URL");
            if (page != null) {
                try {
                    uri = URI.create(page);
                } catch (IllegalArgumentException e) {
                    // Not an address: come back to the fragment's own.
                }
            }
            String then = uri.getRawPath() + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery());
            URI signIn = UriBuilder.fromPath("/console/sign-in").queryParam("then", "{then}").build(then);
            response.getHeaders().remove(HttpHeaders.WWW_AUTHENTICATE);
            response.setEntity(null);
            if (request.getHeaderString("HX-Request") != null) {
                // A fragment htmx loads: a redirect would put the sign-in page inside it; htmx moves the whole page.
                response.setStatus(Response.Status.OK.getStatusCode());
                response.getHeaders().putSingle("HX-Redirect", signIn);
            } else {
                response.setStatus(Response.Status.SEE_OTHER.getStatusCode());
                response.getHeaders().putSingle(HttpHeaders.LOCATION, signIn);
            }
            return;
        }
        response.setEntity(Templates.problem(problem).render(), null, MediaType.TEXT_HTML_TYPE.withCharset("UTF-8"));
    }
}
