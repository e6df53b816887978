package dev.herald.console;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import org.jboss.resteasy.reactive.RestPath;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.herald.delivery.DeliveryLookup;
import dev.herald.delivery.DeliveryViews.FailureReason;
import dev.herald.delivery.DeliveryViews.SendingSummary;
import dev.herald.evidence.BreachFacts;
import dev.herald.evidence.EvidenceExport;
import dev.herald.notice.NoticeDtos.NoticeView;
import dev.herald.notice.NoticeService;
import dev.herald.ops.ConflictException;
import dev.herald.render.LocaleTemplate;
import dev.herald.security.AuditLog;
import dev.herald.security.Caller;
import dev.herald.security.Roles;
import io.quarkus.qute.CheckedTemplate;
import io.quarkus.qute.TemplateInstance;

/** Operators' pages: the notices, one notice live, and the summary a regulator is given. */
@Path("/console/notices")
@Produces(MediaType.TEXT_HTML)
@RolesAllowed({ Roles.OPERATOR, Roles.SUPPORT })
public class NoticePages {

    /** Reasons past these are rare ones; the evidence export lists every delivery. */
    static final int REASONS_SHOWN = 20;
    static final Duration CHART_WINDOW = Duration.ofMinutes(10);
    /** htmx stops polling an element whose answer has this status. */
    static final int STOP_POLLING = 286;

    @CheckedTemplate
    static class Templates {
        static native TemplateInstance list(ConsoleView console, List<NoticeService.Listed> notices);

        static native TemplateInstance notice(ConsoleView console, NoticeView notice, BreachFacts facts, String history);

        static native TemplateInstance failures(List<FailureReason> reasons);

        static native TemplateInstance summary(ConsoleView console, NoticeView notice, BreachFacts facts,
                SendingSummary sending, boolean purged, Map<String, LocaleTemplate> templates);

        static native TemplateInstance digest(long noticeId, String digest, String problem);
    }

    private final NoticeService notices;
    private final DeliveryLookup deliveries;
    private final EvidenceExport evidence;
    private final AuditLog audit;
    private final Caller caller;
    private final ConsoleView console;
    private final ObjectMapper json;

    NoticePages(NoticeService notices, DeliveryLookup deliveries, EvidenceExport evidence, AuditLog audit,
            Caller caller, ConsoleView console, ObjectMapper json) {
        this.notices = notices;
        this.deliveries = deliveries;
        this.evidence = evidence;
        this.audit = audit;
        this.caller = caller;
        this.console = console;
        this.json = json;
    }

    @GET
    public TemplateInstance list() {
        return Templates.list(console, notices.recent(50));
    }

    @GET
    @Path("/{id}")
    public TemplateInstance notice(@RestPath long id) throws JsonProcessingException {
        NoticeView notice = notices.get(id);
        // The chart starts from the last minutes already sent, then the progress stream carries it on.
        String history = json.writeValueAsString(deliveries.finishedPerSecond(id, CHART_WINDOW));
        return Templates.notice(console, notice, facts(notice), history);
    }

    /**
     * Refreshed by the notice page every few seconds; once the notice has finished, the answer's status
     * (htmx's 286) stops the polling.
     */
    @GET
    @Path("/{id}/failures")
    public Response failures(@RestPath long id) {
        return Response.status(notices.status(id).isFinished() ? STOP_POLLING : 200)
                .entity(Templates.failures(deliveries.failureReasons(id, REASONS_SHOWN))).build();
    }

    @GET
    @Path("/{id}/summary")
    @RolesAllowed(Roles.OPERATOR)
    public TemplateInstance summary(@RestPath long id) {
        NoticeView notice = notices.get(id);
        return Templates.summary(console, notice, facts(notice), deliveries.sendingSummary(id),
                notices.evidenceArchive(id) != null, json.convertValue(notice.templates(), NoticeService.TEMPLATES));
    }

    /**
     * The digest of the signed evidence export as this caller would download it now: a pass over every
     * delivery, so the summary loads it after the page. A finished notice exports the same bytes each time,
     * until a provider's late report (a bounce) changes one of its deliveries.
     */
    @GET
    @Path("/{id}/digest")
    @RolesAllowed(Roles.OPERATOR)
    public TemplateInstance digest(@RestPath long id) {
        if (notices.evidenceArchive(id) != null) {
            return Templates.digest(id, null, "the deliveries were removed at the end of their retention; the "
                    + "archived export carries its digest in its last line");
        }
        try {
            evidence.requireSigningKey();
        } catch (ConflictException e) {
            return Templates.digest(id, null, e.getMessage());
        }
        String digest;
        try {
            digest = evidence.write(id, notices.evidenceHeader(id), EvidenceExport.Format.NDJSON, caller::destination,
                    caller::text, OutputStream.nullOutputStream());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        audit.record(AuditLog.Action.EVIDENCE_EXPORTED, id, "ndjson digest for the regulator summary");
        return Templates.digest(id, digest, null);
    }

    private BreachFacts facts(NoticeView notice) {
        JsonNode facts = notice.facts();
        return facts == null || facts.isNull() ? null : json.convertValue(facts, BreachFacts.class);
    }
}
