package dev.herald.notice;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Instance;
import jakarta.transaction.Transactional;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.herald.channel.ChannelHealth;
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
import dev.herald.render.CompiledNotice;
import dev.herald.render.LocaleTemplate;
import dev.herald.render.NoticeRenderer;
import dev.herald.render.Recipient;
import dev.herald.render.RenderedEmail;
import dev.herald.segment.AudienceCounter;
import dev.herald.segment.CriteriaCompiler;
import dev.herald.segment.Segment;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.qute.TemplateException;

/** Creates notices after checking everything that could fail later, and reads them with their progress. */
@ApplicationScoped
public class NoticeService {

    private static final TypeReference<Map<String, LocaleTemplate>> TEMPLATES = new TypeReference<>() {
    };

    /** What a create did: {@code replayed} when an earlier request with the same Idempotency-Key answers. */
    public record Created(NoticeView notice, boolean replayed) {
    }

    private final NoticeRenderer renderer;
    private final DeliveryCounts counts;
    private final AffectedAccounts affected;
    private final ChannelHealth health;
    private final NoticeLifecycle lifecycle;
    private final AudienceCounter counter;
    private final ApprovalConfig approval;
    private final AudienceSample sample;
    private final Set<DeliveryChannel> available = EnumSet.noneOf(DeliveryChannel.class);
    private final ObjectMapper json;
    private final Cache<Long, CompiledNotice> compiled = Caffeine.newBuilder()
            .maximumSize(200)
            .expireAfterAccess(Duration.ofHours(6))
            .build();

    NoticeService(NoticeRenderer renderer, DeliveryCounts counts, AffectedAccounts affected, ChannelHealth health,
            NoticeLifecycle lifecycle, AudienceCounter counter, ApprovalConfig approval, AudienceSample sample,
            Instance<ChannelSender> senders, ObjectMapper json) {
        this.sample = sample;
        this.lifecycle = lifecycle;
        this.counter = counter;
        this.approval = approval;
        this.renderer = renderer;
        this.counts = counts;
        this.affected = affected;
        this.health = health;
        senders.forEach(sender -> available.add(sender.channel()));
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
        check(request);
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
        notice.persistAndFlush();
        Notice.getEntityManager().refresh(notice);
        return new Created(view(notice), false);
    }

    /** Answers a create whose insert lost a race with the same Idempotency-Key. */
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

    /**
     * DRAFT to DISPATCHING by {@code actor}: a notice whose audience is larger than the approval
     * threshold must have been approved by another operator. Answers the audience's size.
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
        CompiledNotice compiledNotice = compiled(notice.id);
        for (AudienceSample.Sampled sampled : sample.of(notice.id, notice.audience, templates.keySet(),
                renderer.dataUsed(templates))) {
            try {
                if (notice.channels.contains(DeliveryChannel.EMAIL.name())) {
                    renderer.render(compiledNotice, sampled.recipient());
                }
                if (notice.channels.contains(DeliveryChannel.PUSH.name())) {
                    renderer.renderPush(compiledNotice, sampled.recipient());
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

    /** The notice's templates, compiled once per notice and kept for the workers: they never change once it exists. */
    public CompiledNotice compiled(long id) {
        return compiled.get(id, key -> QuarkusTransaction.requiringNew().call(() -> {
            Notice notice = find(key);
            return renderer.compile(key, notice.name, json.convertValue(notice.templates, TEMPLATES),
                    notice.fallbackLocale);
        }));
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
        List<Progress.PausedChannel> paused = n.status == NoticeStatus.DISPATCHING ? n.channels.stream()
                .map(name -> health.down(DeliveryChannel.valueOf(name)))
                .flatMap(Optional::stream)
                .map(ChannelHealth.Down::toPaused)
                .toList() : List.of();
        return new NoticeView(n.id, n.name, n.status, n.channels, n.fallback, n.audience, n.variables, n.fallbackLocale,
                n.templates, n.createdAt, n.dispatchedAt, n.plannedAt, n.completedAt, n.pausedAt, n.cancelledAt,
                n.pauseReason, n.createdBy, n.approvedBy, n.approvedAt, n.dispatchedBy,
                counts.progress(n.id, n.dispatchedAt, n.completedAt).withPausedChannels(paused));
    }

    private Created replay(Notice earlier, String hash) {
        if (!hash.equals(earlier.requestHash)) {
            throw new RefusedException(RefusedException.Reason.UNPROCESSABLE, "Idempotency-Key reused",
                    "this Idempotency-Key was first used for a different request (notice " + earlier.id + ")");
        }
        return new Created(view(earlier), true);
    }

    private void check(NoticeRequest request) {
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
        if (request.channels().contains(DeliveryChannel.PUSH)) {
            request.templates().forEach((locale, template) -> {
                if (template.push() == null) {
                    errors.add(new FieldError("templates." + locale + ".push",
                            "is required: the notice is sent by PUSH (a title and a body, kept free of personal data)"));
                }
            });
        }
        boolean fallbackPresent = request.templates().keySet().stream()
                .anyMatch(tag -> tag.toLowerCase(Locale.ROOT).equals(request.fallbackLocale().toLowerCase(Locale.ROOT)));
        if (!fallbackPresent) {
            errors.add(new FieldError("fallbackLocale", "'" + request.fallbackLocale()
                    + "' has no template; templates exist for " + request.templates().keySet()));
        }
        if (errors.isEmpty()) {
            errors.addAll(renderer.check(request.templates(), request.variablesOrEmpty()));
        }
        if (!errors.isEmpty()) {
            throw new InvalidInputException(errors);
        }
    }

    private String hash(NoticeRequest request) {
        try {
            byte[] canonical = json.writeValueAsString(request).getBytes(StandardCharsets.UTF_8);
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(canonical));
        } catch (JsonProcessingException | NoSuchAlgorithmException e) {
            throw new IllegalStateException("Cannot fingerprint the request", e);
        }
    }
}
