package dev.herald.notice;

import java.io.InputStream;

import jakarta.annotation.security.RolesAllowed;
import jakarta.persistence.PersistenceException;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.jboss.resteasy.reactive.RestPath;
import org.jboss.resteasy.reactive.RestQuery;
import org.jboss.resteasy.reactive.RestResponse;

import dev.herald.customer.CustomerResource;
import dev.herald.delivery.DeliveryLookup;
import dev.herald.delivery.DeliveryStatus;
import dev.herald.delivery.DeliveryViews.DeliveryPage;
import dev.herald.delivery.Progress;
import dev.herald.notice.NoticeDtos.AffectedUploadReport;
import dev.herald.notice.NoticeDtos.NoticeRequest;
import dev.herald.notice.NoticeDtos.NoticeView;
import dev.herald.notice.NoticeDtos.PreviewRequest;
import dev.herald.render.RenderedEmail;
import dev.herald.security.AuditLog;
import dev.herald.security.Caller;
import dev.herald.security.Roles;

@Path("/v1/notices")
@Tag(name = "Notices")
@Produces(MediaType.APPLICATION_JSON)
public class NoticeResource {

    private final NoticeService notices;
    private final NoticeLifecycle lifecycle;
    private final DeliveryLookup deliveries;
    private final AuditLog audit;
    private final Caller caller;

    NoticeResource(NoticeService notices, NoticeLifecycle lifecycle, DeliveryLookup deliveries, AuditLog audit,
            Caller caller) {
        this.notices = notices;
        this.lifecycle = lifecycle;
        this.deliveries = deliveries;
        this.audit = audit;
        this.caller = caller;
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @RolesAllowed(Roles.NOTIFIER)
    @Operation(summary = "Create a breach notice (DRAFT)",
            description = "Templates are compiled and checked now. With an Idempotency-Key, a retried request "
                    + "answers the notice the first one created (header Idempotent-Replayed: true).")
    public RestResponse<NoticeView> create(@Valid @NotNull NoticeRequest request,
            @HeaderParam("Idempotency-Key") @Size(min = 1, max = 200) String idempotencyKey) {
        NoticeService.Created created;
        try {
            created = notices.create(request, idempotencyKey, caller.name());
        } catch (PersistenceException e) {
            if (idempotencyKey == null) {
                throw e;
            }
            // Two requests with one key raced; the loser answers what the winner created.
            created = notices.replay(idempotencyKey, request);
        }
        if (!created.replayed()) {
            audit.record(AuditLog.Action.NOTICE_CREATED, created.notice().id(), created.notice().name());
        }
        return RestResponse.ResponseBuilder.create(RestResponse.Status.CREATED, created.notice())
                .header("Idempotent-Replayed", String.valueOf(created.replayed()))
                .build();
    }

    @GET
    @Path("/{id}")
    @RolesAllowed({ Roles.NOTIFIER, Roles.OPERATOR, Roles.SUPPORT })
    @Operation(summary = "The notice with its progress")
    public NoticeView get(@RestPath long id) {
        return notices.get(id);
    }

    @POST
    @Path("/{id}/affected")
    @Consumes(CustomerResource.NDJSON)
    @RolesAllowed(Roles.NOTIFIER)
    @Operation(summary = "Upload the affected-account list",
            description = "NDJSON lines {\"customerId\": \"…\", \"variables\": {…}} with exactly the variables the "
                    + "notice declares. Repeating a customer replaces its variables.")
    public AffectedUploadReport uploadAffected(@RestPath long id, InputStream body) {
        AffectedUploadReport report = notices.uploadAffected(id, body);
        audit.record(AuditLog.Action.AFFECTED_UPLOADED, id, report.accepted() + " accounts accepted, " + report.rejected()
                + " lines refused");
        return report;
    }

    @POST
    @Path("/{id}/preview")
    @Consumes(MediaType.APPLICATION_JSON)
    @RolesAllowed(Roles.NOTIFIER)
    @Operation(summary = "The email one customer would receive")
    public RenderedEmail preview(@RestPath long id, @Valid @NotNull PreviewRequest request) {
        RenderedEmail preview = notices.preview(id, request.customerId(), request.variables());
        audit.record(AuditLog.Action.NOTICE_PREVIEWED, id, "for customer " + request.customerId());
        return preview;
    }

    @POST
    @Path("/{id}/approve")
    @RolesAllowed(Roles.OPERATOR)
    @Operation(summary = "Approve a DRAFT notice for dispatch (the two-person rule)",
            description = "A notice whose audience is larger than herald.approval.audience-threshold can only be "
                    + "dispatched once approved, and by another operator than the one who approved it.")
    public NoticeView approve(@RestPath long id) {
        lifecycle.approve(id, caller.name());
        audit.record(AuditLog.Action.NOTICE_APPROVED, id, null);
        return notices.get(id);
    }

    @POST
    @Path("/{id}/dispatch")
    @RolesAllowed(Roles.OPERATOR)
    @Operation(summary = "Start sending", description = "Plans one delivery per customer and channel, then sends. "
            + "Answers 202 at once; follow GET /v1/notices/{id}/progress.")
    public RestResponse<NoticeView> dispatch(@RestPath long id) {
        long audience = notices.dispatch(id, caller.name());
        audit.record(AuditLog.Action.NOTICE_DISPATCHED, id, "audience of " + audience);
        return RestResponse.accepted(notices.get(id));
    }

    @POST
    @Path("/{id}/pause")
    @RolesAllowed(Roles.OPERATOR)
    @Operation(summary = "Stop sending for now", description = "Every pod stops sending this notice within about "
            + "a second (herald.dispatch.control-poll); messages already handed to the relay stay sent. Pausing a "
            + "PAUSED notice changes nothing.")
    public NoticeView pause(@RestPath long id) {
        lifecycle.pause(id);
        audit.record(AuditLog.Action.NOTICE_PAUSED, id, null);
        return notices.get(id);
    }

    @POST
    @Path("/{id}/resume")
    @RolesAllowed(Roles.OPERATOR)
    @Operation(summary = "Carry on sending a PAUSED notice", description = "Resuming a DISPATCHING notice changes nothing.")
    public NoticeView resume(@RestPath long id) {
        lifecycle.resume(id);
        audit.record(AuditLog.Action.NOTICE_RESUMED, id, null);
        return notices.get(id);
    }

    @POST
    @Path("/{id}/cancel")
    @RolesAllowed(Roles.OPERATOR)
    @Operation(summary = "Stop a notice for good", description = "Every delivery not yet sent becomes CANCELLED; "
            + "customers not yet planned get none. Cancelling a CANCELLED notice changes nothing; a COMPLETED one "
            + "cannot be cancelled.")
    public NoticeView cancel(@RestPath long id) {
        lifecycle.cancel(id);
        audit.record(AuditLog.Action.NOTICE_CANCELLED, id, null);
        return notices.get(id);
    }

    @GET
    @Path("/{id}/progress")
    @RolesAllowed({ Roles.NOTIFIER, Roles.OPERATOR, Roles.SUPPORT })
    @Operation(summary = "Counts by channel and status, average rate and ETA")
    public Progress progress(@RestPath long id) {
        return notices.get(id).progress();
    }

    @GET
    @Path("/{id}/deliveries")
    @RolesAllowed({ Roles.OPERATOR, Roles.SUPPORT })
    @Operation(summary = "A notice's deliveries, optionally of one status, in pages ordered by id")
    public DeliveryPage deliveries(@RestPath long id, @RestQuery DeliveryStatus status,
            @RestQuery @DefaultValue("0") @Min(0) long after,
            @RestQuery @DefaultValue("100") @Min(1) @Max(1000) int limit) {
        notices.get(id);
        return caller.masked(deliveries.page(id, status, after, limit));
    }
}
