package dev.herald.console;

import java.net.URI;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import jakarta.annotation.security.PermitAll;
import jakarta.enterprise.event.Observes;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.NewCookie;
import jakarta.ws.rs.core.Response;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.resteasy.reactive.RestForm;
import org.jboss.resteasy.reactive.RestQuery;

import dev.herald.security.AuditLog;
import dev.herald.security.Roles;
import io.quarkus.qute.CheckedTemplate;
import io.quarkus.qute.TemplateInstance;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.runtime.configuration.ConfigUtils;
import io.smallrye.jwt.build.Jwt;

/**
 * The console's sign-in for the demo and tests: a session for whatever name and roles are chosen,
 * signed with the key the API trusts. Refused unless enabled, and never in the prod profile; in
 * production the session comes from the company's identity provider.
 */
@Path("/console")
@PermitAll
public class LocalSignIn {

    static final String COOKIE = "herald-session";

    @CheckedTemplate
    static class Templates {
        static native TemplateInstance signIn(boolean enabled, List<String> roles, String problem, String then);
    }

    private final ConsoleConfig config;
    private final AuditLog audit;
    private final String issuer;
    private final String audience;

    LocalSignIn(ConsoleConfig config, AuditLog audit,
            @ConfigProperty(name = "mp.jwt.verify.issuer") String issuer,
            @ConfigProperty(name = "mp.jwt.verify.audiences") String audience) {
        this.config = config;
        this.audit = audit;
        this.issuer = issuer;
        this.audience = audience;
    }

    void refuseInProduction(@Observes StartupEvent start) {
        requireNonProduction(config.localSignIn(), ConfigUtils.getProfiles());
    }

    static void requireNonProduction(boolean localSignIn, List<String> profiles) {
        if (localSignIn && profiles.contains("prod")) {
            throw new IllegalStateException("herald.console.local-sign-in lets anyone sign in with any role: it is for "
                    + "the demo and development profiles and refused in the prod profile");
        }
    }

    @GET
    @Path("/sign-in")
    @Produces(MediaType.TEXT_HTML)
    public TemplateInstance form(@RestQuery String then) {
        return Templates.signIn(config.localSignIn(), Roles.ALL, null, safe(then));
    }

    @POST
    @Path("/sign-in")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    @Produces(MediaType.TEXT_HTML)
    public Response signIn(@RestForm String name, @RestForm("role") List<String> roles, @RestForm String then) {
        if (!config.localSignIn()) {
            return Response.status(403).entity(Templates.signIn(false, Roles.ALL, null, null)).build();
        }
        String who = name == null ? "" : name.strip();
        Set<String> chosen = new LinkedHashSet<>(roles == null ? List.of() : roles);
        String problem = who.isEmpty() ? "Enter your name."
                : who.length() > 100 ? "A name has at most 100 characters."
                : !who.matches("[\\p{L}\\p{N} ._@'-]+") ? "A name has letters, digits, spaces and . _ @ ' - only."
                : chosen.isEmpty() ? "Choose at least one role."
                : !Roles.ALL.containsAll(chosen) ? "Choose among the roles listed." : null;
        if (problem != null) {
            return Response.status(400).entity(Templates.signIn(true, Roles.ALL, problem, safe(then))).build();
        }
        String token = Jwt.upn(who).groups(chosen).issuer(issuer).audience(audience)
                .expiresIn(config.session()).sign();
        audit.record(who, AuditLog.Action.CONSOLE_SIGNED_IN, null, "local sign-in as " + String.join(", ", chosen));
        return Response.seeOther(URI.create(safe(then) == null ? "/console" : safe(then)))
                .cookie(session(token, (int) config.session().toSeconds())).build();
    }

    @POST
    @Path("/sign-out")
    public Response signOut() {
        return Response.seeOther(URI.create("/console/sign-in")).cookie(session("", 0)).build();
    }

    /**
     * HttpOnly so no script reads it; SameSite=Strict so no other site's page can act with it; Secure
     * unless configured off for plain-HTTP demos (behind a TLS proxy, Herald itself sees HTTP).
     */
    private NewCookie session(String value, int maxAge) {
        return new NewCookie.Builder(COOKIE).value(value).path("/").maxAge(maxAge).httpOnly(true)
                .secure(config.secureCookie()).sameSite(NewCookie.SameSite.STRICT).build();
    }

    /** Only a path of this console: a link that sends people elsewhere after signing in is ignored. */
    private static String safe(String then) {
        return then != null && then.startsWith("/console") && then.length() <= 500
                && then.chars().noneMatch(c -> c < 0x20) ? then : null;
    }
}
