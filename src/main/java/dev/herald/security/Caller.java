package dev.herald.security;

import jakarta.enterprise.context.RequestScoped;

import dev.herald.delivery.DeliveryViews.CustomerDelivery;
import dev.herald.delivery.DeliveryViews.DeliveryPage;
import dev.herald.delivery.DeliveryViews.DeliveryView;
import dev.herald.ops.PersonalDataFilter;
import io.quarkus.security.identity.SecurityIdentity;
import io.vertx.core.http.HttpServerRequest;

/** Who is calling, as the audit log and the masking of contact data need it. */
@RequestScoped
public class Caller {

    private final SecurityIdentity identity;
    private final HttpServerRequest request;

    Caller(SecurityIdentity identity, HttpServerRequest request) {
        this.identity = identity;
        this.request = request;
    }

    /** The token's user (upn, preferred_username or subject). */
    public String name() {
        return identity.isAnonymous() ? "anonymous" : identity.getPrincipal().getName();
    }

    /**
     * The caller's address: the connection's, or the one a trusted proxy forwarded for
     * ({@code quarkus.http.proxy.trusted-proxies}); a client's own X-Forwarded-For is never believed.
     */
    public String address() {
        return request.remoteAddress() == null ? "unknown" : request.remoteAddress().hostAddress();
    }

    /** Whether the caller is support staff (a person answering customers, not a calling service). */
    public boolean isSupport() {
        return identity.hasRole(Roles.SUPPORT);
    }

    /** Whether contact data (email addresses, device tokens) is shown whole to this caller. */
    public boolean seesContactData() {
        return identity.hasRole(Roles.SUPPORT_PII) || identity.hasRole(Roles.NOTIFIER);
    }

    /** "m***@example.com", unless the caller sees contact data. */
    public String email(String email) {
        if (email == null || seesContactData()) {
            return email;
        }
        int at = email.indexOf('@');
        return at <= 0 ? "***" : email.charAt(0) + "***" + email.substring(at);
    }

    /** A device token with all but its last six characters hidden, unless the caller sees contact data. */
    public String token(String token) {
        if (token == null || seesContactData() || token.length() <= 6) {
            return token;
        }
        return "…" + token.substring(token.length() - 6);
    }

    /**
     * A delivery's destination, masked unless the caller sees contact data: an email address as
     * {@link #email} does, a push destination ("PLATFORM:app:token") with its token masked.
     */
    public String destination(String destination) {
        if (destination == null || seesContactData()) {
            return destination;
        }
        String[] push = destination.split(":", 3);
        return push.length == 3 ? push[0] + ":" + push[1] + ":" + token(push[2]) : email(destination);
    }

    /** Text from outside, such as a provider's reply, with any email address in it masked unless the caller sees contact data. */
    public String text(String text) {
        return text == null || seesContactData() ? text : PersonalDataFilter.mask(text);
    }

    /** The page with its destinations and errors masked as {@link #destination} and {@link #text} do. */
    public DeliveryPage masked(DeliveryPage page) {
        return new DeliveryPage(page.items().stream().map(this::masked).toList(), page.next());
    }

    public DeliveryView masked(DeliveryView view) {
        return view.shown(this::destination, this::text);
    }

    /** A delivery with its timeline, masked: providers' replies in the events can quote the address too. */
    public CustomerDelivery masked(CustomerDelivery delivery) {
        return delivery.with(masked(delivery.delivery()),
                delivery.events().stream().map(e -> e.withDetail(text(e.detail()))).toList());
    }
}
