package dev.herald.channel.push;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import jakarta.enterprise.context.ApplicationScoped;

import io.quarkus.qute.TemplateException;
import io.quarkus.runtime.Startup;

import dev.herald.channel.ChannelMetrics;
import dev.herald.channel.ChannelSender;
import dev.herald.channel.ChannelUnavailableException;
import dev.herald.channel.DeliveryJob;
import dev.herald.channel.OutcomeSink;
import dev.herald.channel.SendLimits;
import dev.herald.channel.SendingHaltedException;
import dev.herald.channel.Throttle;
import dev.herald.customer.DevicePlatform;
import dev.herald.customer.DeviceStore;
import dev.herald.customer.DeviceView;
import dev.herald.delivery.DeliveryChannel;
import dev.herald.delivery.Outcome;
import dev.herald.ops.FieldError;
import dev.herald.ops.Sha256;
import dev.herald.render.CompiledNotice;
import dev.herald.render.LocaleTemplate;
import dev.herald.render.Recipient;
import dev.herald.render.NoticeRenderer;
import dev.herald.render.RenderedPush;

/**
 * Push on the channel port: renders each job's title and body, builds its provider's payload, and
 * sends the batch with many messages in flight at once (HTTP/2 multiplexes them), then reports each
 * answer in job order. A token the provider reports gone deactivates its device; a provider that
 * refuses Herald's credentials halts the notice; a provider failing message after message, or out of
 * reach, pauses the channel.
 */
@ApplicationScoped
// Made at boot, not at the first send: its send limit must be readable and settable before then.
@Startup
public class PushSender implements ChannelSender {

    /** Payload bytes FCM and APNs take for one notification. */
    static final int PAYLOAD_LIMIT = 4096;
    /** Provider failures in a row that mean the providers are down. */
    private static final int FAILURES_BEFORE_DOWN = 3;

    private record Pending(DeliveryJob job, DeviceView device, byte[] contentSha256, long sentNanos,
            CompletableFuture<PushAnswer> answer) {
    }

    private final PushConfig config;
    private final FcmGateway fcm;
    private final ApnsGateway apns;
    private final DeviceStore devices;
    private final NoticeRenderer renderer;
    private final Throttle throttle;
    private final ChannelMetrics metrics;

    PushSender(PushConfig config, FcmGateway fcm, ApnsGateway apns, DeviceStore devices, NoticeRenderer renderer,
            SendLimits limits, ChannelMetrics metrics) {
        if (config.batchesHeld() < config.connections()) {
            throw new IllegalStateException("herald.push.batches-held must be at least herald.push.connections ("
                    + config.connections() + "): each sends a batch the pod holds");
        }
        this.config = config;
        this.metrics = metrics;
        this.fcm = fcm;
        this.apns = apns;
        this.devices = devices;
        this.renderer = renderer;
        this.throttle = limits.register(DeliveryChannel.PUSH, "fcm+apns",
                new SendLimits.FleetLimit(config.messagesPerSecond(), config.connections(), false), config.connections());
    }

    @Override
    public DeliveryChannel channel() {
        return DeliveryChannel.PUSH;
    }

    @Override
    public void send(List<DeliveryJob> jobs, OutcomeSink outcomes)
            throws ChannelUnavailableException, SendingHaltedException, InterruptedException {
        Map<String, DeviceView> known = devices.byDestination(jobs.stream().map(DeliveryJob::destination).toList());
        Answers answers = new Answers(outcomes);
        throttle.acquireConnection();
        try {
            for (DeliveryJob job : jobs) {
                if (!outcomes.mayContinue() || answers.stopped()) {
                    break;
                }
                DeviceView device = known.get(job.destination());
                if (device == null || !device.active()) {
                    outcomes.report(Outcome.failed(job.deliveryId(), device == null
                            ? "the device was removed before the push was sent"
                            : "the device was deactivated before the push was sent: " + device.deactivatedReason()));
                    continue;
                }
                RenderedPush text;
                try {
                    text = renderer.renderPush(job.notice(), job.recipient());
                } catch (TemplateException e) {
                    // The notice's templates, not this customer, are at fault: every other push would fail too.
                    answers.halt("the push template fails for customer " + job.recipient().id() + ": "
                            + NoticeRenderer.describe(e));
                    break;
                }
                PushMessage message = new PushMessage(job.noticeId(), job.deliveryId(), device, text);
                boolean apple = device.platform() == DevicePlatform.APNS;
                byte[] payload = payload(message);
                int size = apple ? payload.length : payload.length - device.token().length();
                if (size > PAYLOAD_LIMIT) {
                    outcomes.report(Outcome.failed(job.deliveryId(), "the push payload is " + size + " bytes; "
                            + (apple ? "APNs" : "FCM") + " takes at most " + PAYLOAD_LIMIT));
                    continue;
                }
                answers.awaitRoom();
                throttle.acquire();
                answers.add(new Pending(job, device, Sha256.of(payload), System.nanoTime(),
                        (apple ? apns.send(message, payload) : fcm.send(message, payload))
                        .orTimeout(config.timeout().toMillis(), TimeUnit.MILLISECONDS)));
                answers.reportReady();
            }
            answers.reportAll();
        } finally {
            throttle.releaseConnection();
        }
    }

    /**
     * The answers of a batch, reported in job order as soon as they are in, so that a pod lost
     * mid-batch has few sends left unrecorded. Provider failures are held back: when an answer after
     * them goes through they were passing faults, retried like any other; a run of them means the
     * providers are down, and they go back without an attempt counted.
     */
    private final class Answers {
        private final OutcomeSink outcomes;
        private final Deque<Pending> pending = new ArrayDeque<>();
        private final List<Outcome> heldBack = new ArrayList<>();
        private String lastFailure;
        private String halt;

        Answers(OutcomeSink outcomes) {
            this.outcomes = outcomes;
        }

        void add(Pending next) {
            pending.add(next);
        }

        void halt(String reason) {
            halt = halt == null ? reason : halt;
        }

        /** Whether to send no more: the providers refuse Herald, or fail message after message. */
        boolean stopped() {
            return halt != null || heldBack.size() >= FAILURES_BEFORE_DOWN;
        }

        /**
         * Waits, reporting the oldest answers, until fewer than in-flight pushes are unreported. Counted
         * until reported, not until answered: an answer that is in but waits behind a slower one is a
         * push a pod killed now would send again, so it counts against the bound of such duplicates.
         */
        void awaitRoom() throws InterruptedException {
            while (pending.size() >= config.inFlight()) {
                report(pending.poll());
            }
        }

        void reportReady() throws InterruptedException {
            while (!pending.isEmpty() && pending.peek().answer().isDone()) {
                report(pending.poll());
            }
        }

        void reportAll() throws InterruptedException, ChannelUnavailableException, SendingHaltedException {
            while (!pending.isEmpty()) {
                report(pending.poll());
            }
            if (halt != null) {
                throw new SendingHaltedException(halt);
            }
            if (heldBack.size() >= FAILURES_BEFORE_DOWN) {
                throw new ChannelUnavailableException("push providers fail message after message; last: " + lastFailure);
            }
            // Held back at the end: unreported, so handed back without an attempt counted.
        }

        private void report(Pending p) throws InterruptedException {
            PushAnswer answer = answerOf(p);
            long id = p.job().deliveryId();
            metrics.answered(DeliveryChannel.PUSH, answer.verdict().name().toLowerCase(),
                    Duration.ofNanos(System.nanoTime() - p.sentNanos()));
            if (answer.verdict() == PushAnswer.Verdict.PROVIDER_DOWN) {
                heldBack.add(Outcome.retryNotBefore(id, answer.detail(), answer.notBefore()));
                lastFailure = answer.detail();
                return;
            }
            if (answer.verdict() == PushAnswer.Verdict.CREDENTIALS_REFUSED) {
                halt(answer.detail());
                return;
            }
            if (heldBack.size() < FAILURES_BEFORE_DOWN) {
                heldBack.forEach(outcomes::report);
                heldBack.clear();
            }
            switch (answer.verdict()) {
                case ACCEPTED -> outcomes.report(Outcome.sent(id, answer.providerId(), p.contentSha256()));
                case TOKEN_GONE -> {
                    devices.deactivate(p.device().platform(), p.device().appId(), p.device().token(), answer.detail());
                    outcomes.report(Outcome.failed(id, "device token gone: " + answer.detail()));
                }
                case REJECTED -> outcomes.report(Outcome.failed(id, answer.detail()));
                case RETRY -> outcomes.report(Outcome.retryNotBefore(id, answer.detail(), answer.notBefore()));
                // Not held against the message: it goes back unattempted, and this pod slows down.
                default -> throttle.pushedBack();
            }
        }
    }

    private static PushAnswer answerOf(Pending pending) throws InterruptedException {
        try {
            return pending.answer().get();
        } catch (ExecutionException e) {
            return PushAnswer.of(PushAnswer.Verdict.PROVIDER_DOWN, "no answer within the timeout: "
                    + FcmGateway.rootMessage(e));
        }
    }

    /** The payload as its provider takes it: the APNs JSON, or the FCM request body (which names the token). */
    private byte[] payload(PushMessage message) {
        return message.device().platform() == DevicePlatform.APNS ? apns.payload(message) : fcm.body(message);
    }

    @Override
    public byte[] content(DeliveryJob job) {
        // The payload needs only what the destination names, so a device removed since is no obstacle.
        String[] parts = job.destination().split(":", 3);
        DeviceView device = new DeviceView(0, job.recipient().id(), DevicePlatform.valueOf(parts[0]), parts[1], parts[2],
                false, false, null, null, null, null);
        return payload(new PushMessage(job.noticeId(), job.deliveryId(), device,
                renderer.renderPush(job.notice(), job.recipient())));
    }

    @Override
    public void render(CompiledNotice notice, Recipient recipient) {
        renderer.renderPush(notice, recipient);
    }

    @Override
    public List<FieldError> templateProblems(Map<String, LocaleTemplate> templates) {
        List<FieldError> problems = new ArrayList<>();
        templates.forEach((locale, template) -> {
            if (template.push() == null) {
                problems.add(new FieldError("templates." + locale + ".push",
                        "is required: the notice is sent by PUSH (a title and a body, kept free of personal data)"));
            }
        });
        return problems;
    }

    @Override
    public boolean probe() {
        return (config.fcm().serviceAccount().isEmpty() || fcm.probe())
                && (config.apns().signingKey().isEmpty() || apns.probe());
    }

    /** Whether a TCP connection to the address opens within a few seconds. */
    static boolean reachable(InetSocketAddress address) {
        try (Socket socket = new Socket()) {
            socket.connect(address, (int) Duration.ofSeconds(5).toMillis());
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    static boolean reachable(URI address) {
        int port = address.getPort() > 0 ? address.getPort() : "https".equals(address.getScheme()) ? 443 : 80;
        return reachable(new InetSocketAddress(address.getHost(), port));
    }

    /** A Retry-After header: delay-seconds or an HTTP date. */
    static Instant retryAfter(String value) {
        try {
            return Instant.now().plusSeconds(Long.parseLong(value.strip()));
        } catch (NumberFormatException notSeconds) {
            try {
                return ZonedDateTime.parse(value.strip(), DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
            } catch (DateTimeParseException neither) {
                return null;
            }
        }
    }
}
