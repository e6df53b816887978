package dev.herald.console;

import java.net.URI;
import java.util.List;

import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriBuilder;

import org.jboss.resteasy.reactive.RestPath;
import org.jboss.resteasy.reactive.RestQuery;

import dev.herald.customer.CustomerDirectory;
import dev.herald.customer.CustomerView;
import dev.herald.customer.DeviceView;
import dev.herald.notice.DeliveryContent;
import dev.herald.ops.NotFoundException;
import dev.herald.security.AuditLog;
import dev.herald.security.Roles;
import io.quarkus.qute.CheckedTemplate;
import io.quarkus.qute.TemplateInstance;

/** Support's pages: find a customer, read what each notice did for them, see what they were sent. */
@Path("/console/customers")
@Produces(MediaType.TEXT_HTML)
@RolesAllowed(Roles.SUPPORT)
public class CustomerPages {

    /** Room for the longest id (200) or email address (254) with spaces around it. */
    static final int MAX_QUERY = 320;

    @CheckedTemplate
    static class Templates {
        static native TemplateInstance search(ConsoleView console, String query, List<CustomerView> found,
                boolean moreMayMatch, String problem);

        static native TemplateInstance customer(ConsoleView console, CustomerView customer, List<DeviceView> devices,
                List<Timeline.NoticeStory> notices);

        static native TemplateInstance content(ConsoleView console, String customerId, DeliveryContent.Content content,
                SentMessage message);
    }

    private final CustomerDirectory directory;
    private final DeliveryContent contents;
    private final AuditLog audit;
    private final ConsoleView console;

    CustomerPages(CustomerDirectory directory, DeliveryContent contents, AuditLog audit, ConsoleView console) {
        this.directory = directory;
        this.contents = contents;
        this.audit = audit;
        this.console = console;
    }

    /** With one match, straight to the customer's page. */
    @GET
    public Object search(@RestQuery("q") String query) {
        String q = query == null ? "" : query.strip();
        if (q.isEmpty()) {
            return Templates.search(console, q, null, false, null);
        }
        if (q.length() > MAX_QUERY || q.chars().anyMatch(Character::isISOControl)) {
            return Response.status(400).entity(Templates.search(console, "", null, false, "An id or email address has at most "
                    + MAX_QUERY + " characters and no control characters.")).build();
        }
        List<CustomerView> found = directory.search(q);
        if (found.size() == 1) {
            return Response.seeOther(URI.create(link(found.get(0).id()))).build();
        }
        return Templates.search(console, q, found, found.size() == CustomerDirectory.SEARCH_LIMIT, null);
    }

    @GET
    @Path("/{id}")
    public TemplateInstance customer(@RestPath String id) {
        CustomerView customer = directory.get(id);
        audit.customerViewed(id, null, "the customer's page", AuditLog.Where.CONSOLE);
        return Templates.customer(console, customer, directory.devices(id),
                console.timeline().tell(directory.deliveries(id).deliveries()));
    }

    /**
     * Whether what was sent matches the record, for every support caller; the message itself, as the
     * customer read it, only with support-pii, as in the API: templates can put any of the customer's
     * data in it.
     */
    @GET
    @Path("/{id}/deliveries/{noticeId}/{deliveryId}")
    public TemplateInstance content(@RestPath String id, @RestPath long noticeId, @RestPath long deliveryId) {
        DeliveryContent.Content content = contents.of(noticeId, deliveryId, console.seesContactData());
        if (!content.customerId().equals(id)) {
            throw new NotFoundException("delivery of customer " + id, noticeId + "/" + deliveryId);
        }
        audit.contentViewed(id, noticeId, deliveryId, AuditLog.Where.CONSOLE);
        SentMessage message = content.content() == null ? null
                : "EMAIL".equals(content.channel()) ? SentMessage.email(content.content())
                : SentMessage.push(content.content());
        return Templates.content(console, id, content.withoutContent(), message);
    }

    static String link(String customerId) {
        return UriBuilder.fromPath("/console/customers/{id}").build(customerId).toString();
    }
}
