package dev.herald.notice;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;
import java.util.concurrent.atomic.AtomicBoolean;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Instance;
import jakarta.transaction.Transactional;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.herald.channel.ChannelHealth;
import dev.herald.channel.email.DomainPaces;
import dev.herald.channel.ChannelSender;
import dev.herald.customer.Customer;
import dev.herald.delivery.DeliveryChannel;
import dev.herald.delivery.DeliveryCounts;
import dev.herald.delivery.Progress;
import dev.herald.notice.NoticeDtos.Audience;
import dev.herald.notice.NoticeDtos.NoticeRequest;
import dev.herald.notice.NoticeDtos.NoticeView;
import dev.herald.ops.FieldError;
import dev.herald.ops.InvalidInputException;
import dev.herald.ops.NotFoundException;
import dev.herald.ops.ConflictException;
import dev.herald.ops.RefusedException;
import dev.herald.ops.Sha256;
import dev.herald.render.CompiledNotice;
import dev.herald.render.LocaleTemplate;
import dev.herald.render.NoticeRenderer;
import dev.herald.render.Recipient;
import dev.herald.render.RenderedEmail;
import dev.herald.segment.AudienceCounter;
import dev.herald.segment.CriteriaCompiler;
import dev.herald.segment.Segment;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import io.quarkus.qute.TemplateException;
import dev.herald.evidence.BreachData;
import dev.herald.evidence.BreachFacts;
import dev.herald.evidence.ContentCheck;
import dev.herald.evidence.DeadlineClock;
import dev.herald.evidence.SubstituteNotice;
import dev.herald.evidence.Jurisdiction;

/** Creates notices after checking everything that could fail later, and reads them with their progress. */
@ApplicationScoped
public class NoticeService {

    /** A notice's stored templates, by language tag, in their order. */
    public static final TypeReference<Map<String, LocaleTemplate>> TEMPLATES = new TypeReference<>() {
    };

    /** What a create did: {@code replayed} when an earlier request with the same Idempotency-Key answers. */
    public record Created(NoticeView notice, boolean replayed) {
    }

    private final NoticeRenderer renderer;
    private final DeliveryCounts counts;
    private final AffectedAccounts affected;
    private final ChannelHealth health;
    private final DomainPaces paces;
    private final NoticeLifecycle lifecycle;
    private final AudienceCounter counter;
    private final ApprovalConfig approval;
    private final AudienceSample sample;
    private final SubstituteNotice substitute;
    private final Cache<String, SubstituteNotice.Summary> substitutes = Caffeine.newBuilder().maximumSize(1_000).build();
    private final Set<DeliveryChannel> available = EnumSet.noneOf(DeliveryChannel.class);
    private final List<ChannelSender> senders = new ArrayList<>();
    private final ObjectMapper json;
    private final Cache<Long, CompiledNotice> compiled = Caffeine.newBuilder()
            .maximumSize(200)
            .expireAfterAccess(Duration.ofHours(6))
            .build();

    NoticeService(NoticeRenderer renderer, DeliveryCounts counts, AffectedAccounts affected, ChannelHealth health,
            DomainPaces paces, NoticeLifecycle lifecycle, AudienceCounter counter, ApprovalConfig approval, AudienceSample sample,
            SubstituteNotice substitute, Instance<ChannelSender> senders, ObjectMapper json) {
        this.sample = sample;
        this.substitute = substitute;
        this.lifecycle = lifecycle;
        this.counter = counter;
        this.approval = approval;
        this.renderer = renderer;
        this.counts = counts;
        this.affected = affected;
        this.health = health;
        this.paces = paces;
        senders.forEach(sender -> {
            available.add(sender.channel());
            this.senders.add(sender);
        });
        this.json = json;
    }

    @Transactional
    public Created create(NoticeRequest request, String idempotencyKey, String actor) {
        String hash = hash(request);
        if (idempotencyKey != null) {
            Notice earlier = Notice.find("idempotencyKey", idempotencyKey).firstResult();
            if (earlier != null) {
                return replay(earlier, hash);
            }
        }
        List<String> warnings = check(request);
        Notice notice = new Notice();
        notice.name = request.name();
        notice.status = NoticeStatus.DRAFT;
        notice.channels = request.channels().stream().map(DeliveryChannel::name).sorted().toList();
        notice.fallback = request.fallback();
        notice.audience = json.valueToTree(request.audience());
        notice.variables = request.variablesOrEmpty();
        notice.fallbackLocale = request.fallbackLocale();
        notice.templates = json.valueToTree(request.templates());
        notice.idempotencyKey = idempotencyKey;
        notice.requestHash = hash;
        notice.createdBy = actor;
        notice.jurisdictions = request.jurisdictionsOrGeneric().stream().map(Jurisdiction::name).sorted().toList();
        notice.facts = json.valueToTree(request.facts());
        notice.warnings = warnings;
        notice.persistAndFlush();
        Notice.getEntityManager().refresh(notice);
        return new Created(view(notice), false);
    }

    /** For a create whose insert lost a race with the same Idempotency-Key: returns the notice that won it. */
    @Transactional
    public Created replay(String idempotencyKey, NoticeRequest request) {
        Notice earlier = Notice.find("idempotencyKey", idempotencyKey).firstResult();
        if (earlier == null) {
            throw new IllegalStateException("No notice holds Idempotency-Key " + idempotencyKey);
        }
        return replay(earlier, hash(request));
    }

    @Transactional
    public NoticeView get(long id) {
        return view(find(id));
    }

    /** A notice as a list of notices shows it. */
    public record Listed(long id, String name, NoticeStatus status, List<String> channels, OffsetDateTime createdAt,
            OffsetDateTime dispatchedAt, OffsetDateTime finishedAt) {
    }

    /** The newest notices first. */
    @Transactional
    public List<Listed> recent(int limit) {
        return Notice.<Notice>find("order by id desc").page(0, limit).stream()
                .map(n -> new Listed(n.id, n.name, n.status, n.channels, n.createdAt, n.dispatchedAt,
                        n.completedAt != null ? n.completedAt : n.cancelledAt))
                .toList();
    }

    /** Refuses an unknown notice (404), for reads that need only to know it exists. */
    @Transactional
    public void require(long id) {
        find(id);
    }

    /**
     * DRAFT to DISPATCHING by {@code actor}: a notice whose audience is larger than the approval
     * threshold must have been approved by another operator. Returns the audience's size.
     */
    public long dispatch(long id, String actor) {
        Notice notice = QuarkusTransaction.requiringNew().call(() -> find(id));
        long audience = audienceSize(notice);
        if (notice.status == NoticeStatus.DRAFT) {
            renderForSample(notice);
        }
        lifecycle.dispatch(id, actor, audience > approval.audienceThreshold() ? audience : 0);
        return audience;
    }

    /**
     * Renders the notice, on every channel it is sent by, for a sample of its real audience: a template
     * that fails for some customers (an attribute of an unexpected shape, a size limit) is refused
     * here, naming the customer, instead of failing their deliveries one after another.
     */
    private void renderForSample(Notice notice) {
        Map<String, LocaleTemplate> templates = json.convertValue(notice.templates, TEMPLATES);
        CompiledNotice compiledNotice = compiled(notice);
        ContentCheck.Findings findings = ContentCheck.check(jurisdictionsOf(notice), factsOf(notice), templates,
                renderer.samples(compiledNotice, notice.variables), LocalDate.now(ZoneOffset.UTC));
        if (!findings.errors().isEmpty()) {
            throw new RefusedException(RefusedException.Reason.UNPROCESSABLE, "Content the law requires is missing",
                    findings.errors().stream().map(e -> e.field() + ": " + e.message())
                            .collect(java.util.stream.Collectors.joining("; ")));
        }
        List<ChannelSender> channels = senders.stream().filter(s -> notice.channels.contains(s.channel().name())).toList();
        for (AudienceSample.Sampled sampled : sample.of(notice.id, notice.audience, templates.keySet(),
                renderer.dataUsed(templates))) {
            try {
                for (ChannelSender channel : channels) {
                    channel.render(compiledNotice, sampled.recipient());
                }
            } catch (TemplateException e) {
                throw new RefusedException(RefusedException.Reason.UNPROCESSABLE, "Templates fail for a customer",
                        "the templates fail for customer '" + sampled.recipient().id() + "' (" + sampled.why()
                                + "): " + NoticeRenderer.describe(e)
                                + "; nothing was sent: create a corrected notice");
            }
        }
    }

    private long audienceSize(Notice notice) {
        return audienceOf(notice).affectedAccounts() != null ? affected.count(notice.id)
                : counter.count(CriteriaCompiler.forAudience(notice.audience));
    }

    /** Uploads the affected-account list of a DRAFT notice addressed to it. */
    public NoticeDtos.AffectedUploadReport uploadAffected(long id, java.io.InputStream body) {
        Notice notice = QuarkusTransaction.requiringNew().call(() -> find(id));
        if (notice.status != NoticeStatus.DRAFT) {
            throw new ConflictException("notice " + id + " is " + notice.status
                    + "; the affected-account list can only change while it is a DRAFT");
        }
        if (audienceOf(notice).affectedAccounts() == null) {
            throw new ConflictException("notice " + id + " is addressed to a segment or criteria, not to an "
                    + "affected-account list");
        }
        return affected.upload(id, notice.variables, body);
    }

    @Transactional
    public RenderedEmail preview(long id, String customerId, Map<String, Object> variables) {
        Notice notice = find(id);
        Customer customer = Customer.findById(customerId);
        if (customer == null) {
            throw new NotFoundException("customer", customerId);
        }
        Map<String, Object> listed = affected.variablesOf(id, customerId);
        Map<String, Object> vars = listed != null ? listed : variables == null ? Map.of() : variables;
        List<String> missing = notice.variables.stream().filter(v -> !vars.containsKey(v)).toList();
        if (!missing.isEmpty()) {
            throw InvalidInputException.of("variables", "customer '" + customerId
                    + "' is not in the affected-account list; pass values for " + missing + " to preview anyway");
        }
        Recipient recipient = new Recipient(customer.id, customer.email, customer.displayName, customer.locale,
                customer.country, customer.region, customer.tags, customer.attributes, vars);
        return renderer.render(compiled(id), recipient);
    }

    /**
     * The notice's templates compiled with its breach facts, kept for the workers once it is dispatched:
     * then nothing in it changes, and its messages carry the dispatch date. A draft's are compiled
     * afresh, dated now.
     */
    public CompiledNotice compiled(long id) {
        CompiledNotice cached = compiled.getIfPresent(id);
        return cached != null ? cached : compiled(QuarkusTransaction.requiringNew().call(() -> find(id)));
    }

    private CompiledNotice compiled(Notice notice) {
        Map<String, LocaleTemplate> templates = json.convertValue(notice.templates, TEMPLATES);
        Instant date = notice.dispatchedAt == null ? Instant.now() : notice.dispatchedAt.toInstant();
        Map<String, Map<String, Object>> breach = BreachData.byLocale(factsOf(notice), templates.keySet(),
                LocalDate.ofInstant(date, ZoneOffset.UTC));
        CompiledNotice made = renderer.compile(notice.id, notice.name, templates, notice.fallbackLocale, breach,
                date.truncatedTo(ChronoUnit.SECONDS));
        if (notice.dispatchedAt != null) {
            compiled.put(notice.id, made);
        }
        return made;
    }

    BreachFacts factsOf(Notice notice) {
        return json.convertValue(notice.facts, BreachFacts.class);
    }

    static Set<Jurisdiction> jurisdictionsOf(Notice notice) {
        Set<Jurisdiction> set = EnumSet.noneOf(Jurisdiction.class);
        notice.jurisdictions.forEach(j -> set.add(Jurisdiction.valueOf(j)));
        return set;
    }

    Notice find(long id) {
        Notice notice = Notice.findById(id);
        if (notice == null) {
            throw new NotFoundException("notice", id);
        }
        return notice;
    }

    Audience audienceOf(Notice notice) {
        return json.convertValue(notice.audience, Audience.class);
    }

    NoticeView view(Notice n) {
        return new NoticeView(n.id, n.name, n.status, n.channels, n.fallback, n.audience, n.variables, n.fallbackLocale,
                n.templates, n.createdAt, n.dispatchedAt, n.plannedAt, n.completedAt, n.pausedAt, n.cancelledAt,
                n.pauseReason, n.createdBy, n.approvedBy, n.approvedAt, n.dispatchedBy, n.jurisdictions,
                n.facts, n.warnings, progress(n));
    }

    /**
     * Counts, the clock and, once the notice is finished, who was not reached: that takes a pass over
     * the notice's deliveries, so it is done once per finish and kept.
     */
    NoticeProgress progress(Notice n) {
        List<Progress.PausedChannel> paused = n.status == NoticeStatus.DISPATCHING ? n.channels.stream()
                .map(name -> health.down(DeliveryChannel.valueOf(name)))
                .flatMap(Optional::stream)
                .map(ChannelHealth.Down::toPaused)
                .toList() : List.of();
        List<Progress.DeferringDomain> deferring = n.status == NoticeStatus.DISPATCHING
                && n.channels.contains(DeliveryChannel.EMAIL.name()) ? paces.deferring() : List.of();
        Progress progress = counts.progress(n.id, n.dispatchedAt, n.completedAt).withPaused(paused, deferring);
        DeadlineClock.Clock clock = null;
        if (n.facts != null) {
            DeliveryCounts.FirstAndLast times = counts.firstAndLast(n.id);
            clock = DeadlineClock.of(factsOf(n), jurisdictionsOf(n), times.first(), times.last(), OffsetDateTime.now());
        }
        OffsetDateTime finished = n.completedAt != null ? n.completedAt : n.cancelledAt;
        SubstituteNotice.Summary unreached = finished == null || n.purgedAt != null ? null
                : substitutes.get(n.id + "@" + finished, key -> substitute.summary(n.id, jurisdictionsOf(n)));
        return new NoticeProgress(n.status, progress, clock, unreached);
    }

    /**
     * The notice's progress now and then every {@code interval} until the event that shows it finished
     * (COMPLETED or CANCELLED), each read in a transaction of its own on a worker thread. An unknown
     * notice is refused before the stream starts.
     */
    public Multi<NoticeProgress> follow(long id, Duration interval) {
        QuarkusTransaction.requiringNew().call(() -> find(id));
        AtomicBoolean finished = new AtomicBoolean();
        return Multi.createFrom().ticks().startingAfter(Duration.ofMillis(1)).every(interval)
                .onOverflow().drop()
                // ticks arrive on an event-loop thread here; the reads below block
                .emitOn(Infrastructure.getDefaultWorkerPool())
                .select().first(tick -> !finished.get())
                .map(tick -> {
                    NoticeProgress now = QuarkusTransaction.requiringNew().call(() -> progress(find(id)));
                    finished.set(now.status().isFinished());
                    return now;
                });
    }

    @Transactional
    public NoticeStatus status(long id) {
        return find(id).status;
    }

    /** Where the notice's signed evidence was archived when its deliveries were removed, or null. */
    @Transactional
    public String evidenceArchive(long id) {
        return find(id).evidenceArchive;
    }

    /** The notice as its evidence export's first line shows it. */
    @Transactional
    public Map<String, Object> evidenceHeader(long id) {
        Notice n = find(id);
        Map<String, Object> header = new LinkedHashMap<>();
        header.put("id", n.id);
        header.put("name", n.name);
        header.put("status", n.status);
        header.put("channels", n.channels);
        header.put("jurisdictions", n.jurisdictions);
        header.put("facts", n.facts);
        header.put("createdAt", n.createdAt);
        header.put("createdBy", n.createdBy);
        header.put("approvedBy", n.approvedBy);
        header.put("approvedAt", n.approvedAt);
        header.put("dispatchedAt", n.dispatchedAt);
        header.put("dispatchedBy", n.dispatchedBy);
        header.put("completedAt", n.completedAt);
        header.put("cancelledAt", n.cancelledAt);
        header.put("templates", n.templates);
        return header;
    }

    private Created replay(Notice earlier, String hash) {
        if (!hash.equals(earlier.requestHash)) {
            throw new RefusedException(RefusedException.Reason.UNPROCESSABLE, "Idempotency-Key reused",
                    "this Idempotency-Key was first used for a different request (notice " + earlier.id + ")");
        }
        return new Created(view(earlier), true);
    }

    /** Refuses the request with every reason found, or answers the content checks' warnings. */
    private List<String> check(NoticeRequest request) {
        List<FieldError> errors = new ArrayList<>();
        Audience audience = request.audience();
        long kinds = Stream.of(audience.segmentId(), audience.criteria(), audience.affectedAccounts())
                .filter(a -> a != null).count();
        if (kinds != 1) {
            errors.add(new FieldError("audience", "give exactly one of segmentId, criteria or affectedAccounts"));
        } else if (audience.segmentId() != null && Segment.findById(audience.segmentId()) == null) {
            errors.add(new FieldError("audience.segmentId", "segment " + audience.segmentId() + " does not exist"));
        } else if (audience.criteria() != null) {
            try {
                CriteriaCompiler.compile(audience.criteria(), "audience.criteria");
            } catch (InvalidInputException e) {
                errors.addAll(e.errors());
            }
        } else if (Boolean.FALSE.equals(audience.affectedAccounts())) {
            errors.add(new FieldError("audience.affectedAccounts", "must be true when given"));
        }
        Set<DeliveryChannel> missing = EnumSet.noneOf(DeliveryChannel.class);
        missing.addAll(request.channels());
        missing.removeAll(available);
        if (!missing.isEmpty()) {
            errors.add(new FieldError("channels", missing + " is not available; this Herald sends " + available));
        }
        if (request.fallback() != null && !request.channels().containsAll(
                List.of(request.fallback().first(), request.fallback().then()))) {
            errors.add(new FieldError("fallback", request.fallback() + " needs channels " + request.fallback().first()
                    + " and " + request.fallback().then()));
        }
        senders.stream().filter(s -> request.channels().contains(s.channel()))
                .forEach(s -> errors.addAll(s.templateProblems(request.templates())));
        boolean fallbackPresent = request.templates().keySet().stream()
                .anyMatch(tag -> tag.toLowerCase(Locale.ROOT).equals(request.fallbackLocale().toLowerCase(Locale.ROOT)));
        if (!fallbackPresent) {
            errors.add(new FieldError("fallbackLocale", "'" + request.fallbackLocale()
                    + "' has no template; templates exist for " + request.templates().keySet()));
        }
        LocalDate today = LocalDate.now(ZoneOffset.UTC);
        Map<String, Map<String, Object>> breach = BreachData.byLocale(request.facts(), request.templates().keySet(), today);
        if (errors.isEmpty()) {
            errors.addAll(renderer.check(request.templates(), request.variablesOrEmpty(), breach));
        }
        List<String> warnings = List.of();
        if (errors.isEmpty()) {
            CompiledNotice sample = renderer.compile(0, request.name(), request.templates(), request.fallbackLocale(),
                    breach, Instant.now());
            ContentCheck.Findings findings = ContentCheck.check(request.jurisdictionsOrGeneric(), request.facts(),
                    request.templates(), renderer.samples(sample, request.variablesOrEmpty()), today);
            errors.addAll(findings.errors());
            warnings = findings.warnings();
        }
        if (!errors.isEmpty()) {
            throw new InvalidInputException(errors);
        }
        return warnings;
    }

    private String hash(NoticeRequest request) {
        try {
            byte[] canonical = json.writeValueAsString(request).getBytes(StandardCharsets.UTF_8);
            return HexFormat.of().formatHex(Sha256.of(canonical));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("Cannot fingerprint the request", e);
        }
    }
}
