package dev.herald.notice;

import java.io.InputStream;
import java.time.Duration;
import java.util.Map;

import jakarta.annotation.security.RolesAllowed;
import jakarta.persistence.PersistenceException;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.StreamingOutput;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.jboss.resteasy.reactive.RestPath;
import org.jboss.resteasy.reactive.RestQuery;
import org.jboss.resteasy.reactive.RestResponse;
import org.jboss.resteasy.reactive.RestStreamElementType;

import dev.herald.customer.CustomerResource;
import dev.herald.delivery.DeliveryLookup;
import dev.herald.delivery.DeliveryStatus;
import dev.herald.delivery.DeliveryViews.DeliveryPage;
import dev.herald.evidence.EvidenceExport;
import dev.herald.evidence.SubstituteNotice;
import dev.herald.notice.NoticeDtos.AffectedUploadReport;
import dev.herald.notice.NoticeDtos.NoticeRequest;
import dev.herald.notice.NoticeDtos.NoticeView;
import dev.herald.notice.NoticeDtos.PreviewRequest;
import dev.herald.ops.InvalidInputException;
import dev.herald.ops.RefusedException;
import dev.herald.render.RenderedEmail;
import dev.herald.security.AuditLog;
import dev.herald.security.Caller;
import dev.herald.security.Roles;
import dev.herald.sender.SenderReadiness;

import io.smallrye.common.annotation.Blocking;
import io.smallrye.mutiny.Multi;

@Path("/v1/notices")
@Tag(name = "Notices")
@Produces(MediaType.APPLICATION_JSON)
public class NoticeResource {

    private final NoticeService notices;
    private final NoticeLifecycle lifecycle;
    private final DeliveryLookup deliveries;
    private final AuditLog audit;
    private final Caller caller;
    private final EvidenceExport evidence;
    private final SubstituteNotice substitute;
    private final DeliveryContent content;
    private final Duration progressInterval;
    private final SenderReadiness readiness;

    NoticeResource(NoticeService notices, NoticeLifecycle lifecycle, DeliveryLookup deliveries, AuditLog audit,
            Caller caller, EvidenceExport evidence, SubstituteNotice substitute, DeliveryContent content,
            @ConfigProperty(name = "herald.progress.event-interval") Duration progressInterval, SenderReadiness readiness) {
        this.readiness = readiness;
        this.progressInterval = progressInterval;
        this.evidence = evidence;
        this.substitute = substitute;
        this.content = content;
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
            + "Answers 202 at once; follow GET /v1/notices/{id}/progress. For email, warnings also carries each sender "
            + "readiness check that is not OK (GET /v1/senders/readiness), in this answer only.")
    public RestResponse<NoticeView> dispatch(@RestPath long id) {
        long audience = notices.dispatch(id, caller.name());
        NoticeView notice = notices.get(id);
        // Warned, never refused: a breach notice goes out even from a domain whose DNS is not yet as providers ask.
        SenderReadiness.DispatchWarnings sender = readiness.atDispatch(notice.channels());
        audit.record(AuditLog.Action.NOTICE_DISPATCHED, id, "audience of " + audience + sender.audit());
        return RestResponse.accepted(notice.withWarnings(sender.warnings()));
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
    @Operation(summary = "Counts by channel and status, rate and ETA; the clock against each law's deadline; "
            + "once finished, the customers no channel reached per law and whether substitute notice is due",
            description = "With Accept: text/event-stream, the same as server-sent events: one now, then one every "
            + "herald.progress.event-interval (1 s); the stream ends after the event that shows the notice "
            + "COMPLETED or CANCELLED.")
    public NoticeProgress progress(@RestPath long id) {
        return notices.get(id).progress();
    }

    @GET
    @Path("/{id}/progress")
    @Produces(MediaType.SERVER_SENT_EVENTS)
    @RestStreamElementType(MediaType.APPLICATION_JSON)
    @Blocking
    @RolesAllowed({ Roles.NOTIFIER, Roles.OPERATOR, Roles.SUPPORT })
    public Multi<NoticeProgress> progressEvents(@RestPath long id) {
        return notices.follow(id, progressInterval);
    }

    @GET
    @Path("/{id}/evidence")
    @Produces({ CustomerResource.NDJSON, CustomerResource.CSV })
    @RolesAllowed(Roles.OPERATOR)
    @Operation(summary = "The signed evidence of who was told what and when",
            description = "Streams, as herald-evidence/2, a header (the notice's id and the time the export is of; in"
                    + " NDJSON also the notice and its facts), every delivery (customer, channel, destination and"
                    + " providers' answers as the caller may see them, status, attempts, time of its last change,"
                    + " SHA-256 of what was sent), every customer no channel reached, a summary counting them, then a"
                    + " trailer with the SHA-256 hash chain's digest over all lines before it and its Ed25519"
                    + " signature. Every record is one line: in CSV a line break in a cell is written as backslash-r"
                    + " or backslash-n, and a cell a spreadsheet would take for a formula gets a leading quote. Verify"
                    + " offline with dev.herald.evidence.EvidenceVerifier and the published public key.")
    public Response evidence(@RestPath long id,
            @RestQuery @DefaultValue("ndjson") @Parameter(schema = @Schema(enumeration = { "ndjson", "csv" })) String format) {
        EvidenceExport.Format chosen = switch (format) {
            case "ndjson" -> EvidenceExport.Format.NDJSON;
            case "csv" -> EvidenceExport.Format.CSV;
            default -> throw InvalidInputException.of("format", "must be ndjson or csv; got '" + format + "'");
        };
        String archive = notices.evidenceArchive(id);
        StreamingOutput body;
        if (archive != null) {
            if (!caller.seesContactData() || chosen != EvidenceExport.Format.NDJSON) {
                throw new RefusedException(RefusedException.Reason.FORBIDDEN, "Archived evidence",
                        "notice " + id + "'s deliveries were removed at the end of their retention; its archived "
                                + "evidence (NDJSON, unmasked) is given to callers with support-pii or admin");
            }
            body = out -> java.nio.file.Files.copy(java.nio.file.Path.of(archive), out);
        } else {
            evidence.requireSigningKey();
            Map<String, Object> header = notices.evidenceHeader(id);
            body = out -> evidence.write(id, header, chosen, caller::destination, caller::text, out);
        }
        audit.record(AuditLog.Action.EVIDENCE_EXPORTED, id, format);
        return Response.ok(body, chosen == EvidenceExport.Format.CSV ? CustomerResource.CSV : CustomerResource.NDJSON)
                .header("Content-Disposition", "attachment; filename=\"notice-" + id + "-evidence." + format + "\"")
                .build();
    }

    @GET
    @Path("/{id}/unreached")
    @RolesAllowed({ Roles.OPERATOR, Roles.SUPPORT })
    @Operation(summary = "The customers no channel reached, by customer id",
            description = "Every delivery of theirs FAILED, BOUNCED or was SKIPPED (no contact data). Pages: pass "
                    + "next as after.")
    public SubstituteNotice.Page unreached(@RestPath long id, @RestQuery @Size(max = 200) String after,
            @RestQuery @DefaultValue("100") @Min(1) @Max(1000) int limit) {
        notices.require(id);
        SubstituteNotice.Page page = substitute.page(id, after, limit);
        if (caller.isSupport()) {
            audit.record(AuditLog.Action.NOTICE_DELIVERIES_READ, id, "customers no channel reached, after "
                    + (after == null ? "the start" : after) + ": " + page.items().size());
        }
        return page.shown(caller::text);
    }

    @GET
    @Path("/{id}/deliveries/{deliveryId}/content")
    @RolesAllowed({ Roles.OPERATOR, Roles.SUPPORT })
    @Operation(summary = "What a delivery sent, made again, with its hash against the one recorded",
            description = "The message is rendered again from the stored notice and customer data; matches is true "
                    + "when its SHA-256 equals the one recorded when it was sent. The content itself (it holds "
                    + "contact data) only for callers with support-pii.")
    public DeliveryContent.Content content(@RestPath long id, @RestPath long deliveryId) {
        DeliveryContent.Content sent = content.of(id, deliveryId, caller.seesContactData());
        audit.contentViewed(sent.customerId(), id, deliveryId, AuditLog.Where.API);
        return sent;
    }

    @GET
    @Path("/{id}/deliveries")
    @RolesAllowed({ Roles.OPERATOR, Roles.SUPPORT })
    @Operation(summary = "A notice's deliveries, optionally of one status, in pages ordered by id")
    public DeliveryPage deliveries(@RestPath long id, @RestQuery DeliveryStatus status,
            @RestQuery @DefaultValue("0") @Min(0) long after,
            @RestQuery @DefaultValue("100") @Min(1) @Max(1000) int limit) {
        notices.require(id);
        DeliveryPage page = deliveries.page(id, status, after, limit);
        if (caller.isSupport()) {
            audit.record(AuditLog.Action.NOTICE_DELIVERIES_READ, id, (status == null ? "deliveries" : status
                    + " deliveries") + " after " + after + ": " + page.items().size());
        }
        return caller.masked(page);
    }
}
