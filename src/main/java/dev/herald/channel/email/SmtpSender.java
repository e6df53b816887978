package dev.herald.channel.email;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.Transport;

import org.eclipse.angus.mail.smtp.SMTPAddressFailedException;
import org.eclipse.angus.mail.smtp.SMTPSendFailedException;
import org.eclipse.angus.mail.smtp.SMTPSenderFailedException;
import org.jboss.logging.Logger;

import io.quarkus.runtime.Startup;
import io.quarkus.scheduler.Scheduled;

import dev.herald.channel.ChannelMetrics;
import dev.herald.channel.ChannelUnavailableException;
import dev.herald.channel.OutcomeSink;
import dev.herald.channel.SendLimits;
import dev.herald.channel.Throttle;
import dev.herald.delivery.DeliveryChannel;
import dev.herald.delivery.Outcome;

/**
 * Sends over a fixed pool of SMTP connections that stay open between batches. The reply code
 * decides each outcome: 2xx sent, 4xx retry later, 5xx failed for good; a relay that cannot be
 * reached, or fails message after message, is reported down instead of failing deliveries.
 */
@ApplicationScoped
// Made at boot, not at the first send: its relay's limits must be readable and settable before then.
@Startup
public class SmtpSender {

    private static final Logger LOG = Logger.getLogger(SmtpSender.class);
    /** Consecutive messages failing for the relay's sake (421, a broken connection) that mean it is down. */
    private static final int RELAY_FAILURES_BEFORE_DOWN = 3;

    static {
        // Jakarta Mail 2.1 otherwise looks its stream provider up through the service loader on every
        // message it encodes (jakartaee/mail-api#699); naming it makes MIME encoding ~3x faster.
        System.setProperty("jakarta.mail.util.StreamProvider", "org.eclipse.angus.mail.util.MailStreamProvider");
    }

    /** One message to send, with the delivery it belongs to and its receiving domain group. */
    public record Envelope(long deliveryId, EmailComposer.ComposedMessage message, byte[] contentSha256, String group) {
    }

    /** A pooled connection and the watchdog that bounds how long one exchange on it may take. */
    private record Connection(PipeliningSmtpTransport transport, SmtpWatchdog watchdog) {
    }

    private final SmtpConfig config;
    private final Session session;
    private final List<Connection> connections = new ArrayList<>();
    private final BlockingQueue<Connection> pool;
    private final Throttle throttle;
    private final ChannelMetrics metrics;
    private final DomainPaces paces;

    SmtpSender(SmtpConfig config, SendLimits limits, ChannelMetrics metrics, DomainPaces paces) {
        this.config = config;
        this.metrics = metrics;
        this.paces = paces;
        this.throttle = limits.register(DeliveryChannel.EMAIL, config.host() + ":" + config.port(),
                new SendLimits.FleetLimit(config.messagesPerSecond(), config.connections(), false), config.connections());
        this.session = Session.getInstance(properties(config));
        // The later queue's senders have connections of their own, so that fresh batches never wait for them.
        if (config.laterConnections() < 1) {
            throw new IllegalStateException("herald.smtp.later-connections must be at least 1: deliveries postponed for"
                    + " their domain's pace are sent on them");
        }
        if (config.batchesHeld() < config.connections()) {
            throw new IllegalStateException("herald.smtp.batches-held must be at least herald.smtp.connections ("
                    + config.connections() + "): each connection sends a batch the pod holds");
        }
        int size = config.connections() + config.laterConnections();
        this.pool = new ArrayBlockingQueue<>(size);
        for (int i = 0; i < size; i++) {
            // A session per connection: its socket factory is that connection's watchdog.
            SmtpWatchdog watchdog = new SmtpWatchdog(config.timeout());
            Properties properties = properties(config);
            properties.put("mail.smtp.socketFactory", watchdog);
            connections.add(new Connection(new PipeliningSmtpTransport(Session.getInstance(properties), config.pipelining()),
                    watchdog));
        }
        pool.addAll(connections);
    }

    public Session session() {
        return session;
    }

    /**
     * Sends the envelopes in order on one pooled connection, at this pod's pace, reporting each outcome
     * as the relay answers: 2xx sent, 5xx failed, 4xx for a recipient retried later. It stops early,
     * leaving the rest unreported, once {@code outcomes} says so.
     * <p>
     * A message whose domain group is paced goes only when the group's pace has room; otherwise it
     * waits for up to the lane's {@code waitForPace} (the later queue's senders; never longer, so that one
     * slow group cannot hold a connection) and is then postponed to the group's next free slot, without
     * an attempt counted. So is a message the group defers for the sender's pace (421 4.7.28 ...), which
     * also slows the group down for the whole fleet.
     * <p>
     * A failure of the relay rather than of one recipient (a broken connection, 421 or any refusal
     * outside RCPT TO) is held back: when the next message goes through it was a passing fault, and the
     * held messages are retried later, counted; when it is the third in a row, or the relay cannot be
     * reached at all, the channel is down and they are handed back without an attempt counted. A message
     * the relay was given whole but never confirmed is the exception: it may have been taken, so it is
     * reported at once as an attempt and sent again; it is never SENT without a 2xx Herald read.
     */
    public void send(List<Envelope> envelopes, OutcomeSink outcomes, Lane lane)
            throws ChannelUnavailableException, InterruptedException {
        boolean later = lane.waitForPace() != null;
        if (!later) {
            throttle.acquireConnection();
        }
        Connection connection = pool.take();
        try {
            Exchange exchange = new Exchange(connection, outcomes);
            List<Envelope> waiting = new ArrayList<>();
            for (Envelope envelope : envelopes) {
                if (!outcomes.mayContinue()) {
                    return;
                }
                DomainPace pace = paces.of(envelope.group());
                if (pace != null && !(later ? pace.tryAcquire() : pace.tryAcquireFresh())) {
                    waiting.add(envelope);
                } else {
                    exchange.send(envelope);
                }
            }
            if (later) {
                waitForPace(waiting, exchange, System.nanoTime() + lane.waitForPace().toNanos());
            }
            for (Envelope envelope : waiting) {
                if (!outcomes.mayContinue()) {
                    return;
                }
                DomainPace pace = paces.of(envelope.group());
                if (pace == null) {
                    // The group is no longer paced (an operator lifted its limit, or it was forgotten).
                    exchange.send(envelope);
                } else {
                    outcomes.report(Outcome.postponed(envelope.deliveryId(), envelope.group(), pace.postpone(), null));
                }
            }
            // Held back at the end: unreported, so handed back without an attempt counted.
        } finally {
            pool.add(connection);
            if (!later) {
                throttle.releaseConnection();
            }
        }
    }

    /**
     * Which queue a batch came from: fresh batches never wait for a domain group's pace; postponed
     * deliveries (the later queue) wait for it up to {@code waitForPace}.
     */
    public record Lane(Duration waitForPace) {
        public static final Lane FRESH = new Lane(null);

        public static Lane later(Duration waitForPace) {
            if (waitForPace == null || waitForPace.isNegative() || waitForPace.isZero()) {
                throw new IllegalStateException("herald.email.pace.later-wait must be positive; got " + waitForPace);
            }
            return new Lane(waitForPace);
        }
    }

    /** Sends the waiting envelopes as their groups' paces make room, until {@code deadline}; removes those sent. */
    private void waitForPace(List<Envelope> waiting, Exchange exchange, long deadline)
            throws ChannelUnavailableException, InterruptedException {
        while (!waiting.isEmpty() && exchange.outcomes.mayContinue()) {
            long soonest = Long.MAX_VALUE;
            boolean sent = false;
            for (Iterator<Envelope> it = waiting.iterator(); it.hasNext() && exchange.outcomes.mayContinue();) {
                Envelope envelope = it.next();
                DomainPace pace = paces.of(envelope.group());
                if (pace == null || pace.tryAcquire()) {
                    it.remove();
                    exchange.send(envelope);
                    sent = true;
                } else {
                    soonest = Math.min(soonest, pace.nanosUntilNextSlot());
                }
            }
            if (!sent) {
                if (soonest == Long.MAX_VALUE || System.nanoTime() + soonest > deadline) {
                    return;
                }
                TimeUnit.NANOSECONDS.sleep(Math.max(soonest, 100_000));
            }
        }
    }

    /** One batch's dialogue on one connection: whether it is open, and the relay failures held back. */
    private final class Exchange {
        private final Connection connection;
        private final OutcomeSink outcomes;
        private final List<Outcome> heldBack = new ArrayList<>();
        private int failuresInARow;
        private boolean open;

        Exchange(Connection connection, OutcomeSink outcomes) {
            this.connection = connection;
            this.outcomes = outcomes;
            // isConnected() costs a NOOP round trip: once per batch finds a connection the relay closed while idle.
            connection.watchdog().begin();
            this.open = connection.transport().isConnected();
            connection.watchdog().end();
        }

        void send(Envelope envelope) throws ChannelUnavailableException, InterruptedException {
            throttle.acquire();
            Transport transport = connection.transport();
            if (!open) {
                connect(transport);
                open = true;
            }
            long started = System.nanoTime();
            Reply reply = attempt(connection, envelope);
            metrics.answered(DeliveryChannel.EMAIL, reply.code() == 0 ? "no_answer" : String.valueOf(reply.code()),
                    Duration.ofNanos(System.nanoTime() - started));
            if ((reply.stage() == Stage.RECIPIENT || reply.stage() == Stage.MESSAGE)
                    && paces.saysTooFast(reply.code(), reply.text())) {
                // The receiving domain's pace, not the relay's health nor the recipient's: no attempt counted.
                // (A refusal of MAIL FROM cannot depend on the recipient's domain: it is the relay's.)
                reportHeldBack();
                DomainPace pace = paces.deferred(envelope.group(), reply.describe(), throttle.current());
                outcomes.report(Outcome.postponed(envelope.deliveryId(), envelope.group(), pace.postpone(),
                        reply.describe()));
                closeAfter421(reply);
                return;
            }
            if (reply.relayFailure()) {
                closeQuietly(transport);
                open = false;
                if (reply.stage() == Stage.UNCONFIRMED) {
                    // The message was written and may have been taken: an attempt whatever the relay's state,
                    // reported now so that the timeline tells it was sent again.
                    outcomes.report(Outcome.retry(envelope.deliveryId(), reply.describe()));
                } else {
                    heldBack.add(Outcome.retry(envelope.deliveryId(), reply.describe()));
                }
                if (++failuresInARow >= RELAY_FAILURES_BEFORE_DOWN) {
                    throw new ChannelUnavailableException("SMTP relay " + relay() + " fails message after message;"
                            + " last: " + reply.describe());
                }
                return;
            }
            reportHeldBack();
            if (reply.code() >= 200 && reply.code() < 300) {
                outcomes.report(Outcome.sent(envelope.deliveryId(), reply.text(), envelope.contentSha256()));
                paces.accepted(envelope.group());
            } else if (reply.code() >= 500) {
                outcomes.report(Outcome.failed(envelope.deliveryId(), reply.describe()));
            } else {
                outcomes.report(Outcome.retry(envelope.deliveryId(), reply.describe()));
                throttle.pushedBack();
                closeAfter421(reply);
            }
        }

        private void reportHeldBack() {
            heldBack.forEach(outcomes::report);
            heldBack.clear();
            failuresInARow = 0;
        }

        /** The relay closes the connection after a 421; the next message opens a new one. */
        private void closeAfter421(Reply reply) {
            if (reply.code() == 421) {
                closeQuietly(connection.transport());
                open = false;
            }
        }
    }

    /**
     * One message on the connection: the relay's answer, 250 when it took it. A connection that broke
     * after the message was written whole leaves it unconfirmed, whether the transport said so or threw.
     */
    private Reply attempt(Connection connection, Envelope envelope) {
        Reply reply;
        connection.watchdog().begin();
        try {
            // The relay's answer to the message ("250 2.0.0 Ok: queued as …") is its receipt, kept as evidence.
            reply = connection.transport().send(envelope.message());
        } catch (MessagingException e) {
            reply = replyOf(e);
        } finally {
            connection.watchdog().end();
        }
        if (reply.stage() == Stage.CONNECTION && envelope.message().written()) {
            reply = new Reply(0, reply.text(), Stage.UNCONFIRMED);
        }
        if (reply.code() == 0) {
            LOG.warnf("SMTP connection to %s broke: %s", relay(), reply.text());
        }
        return reply;
    }

    /** Whether the relay accepts a connection and answers a NOOP, after it was found down. */
    public boolean probe() {
        try {
            Transport transport = session.getTransport("smtp");
            try {
                transport.connect(config.host(), config.port(), config.username().orElse(null),
                        config.password().orElse(null));
                return transport.isConnected();
            } finally {
                closeQuietly(transport);
            }
        } catch (MessagingException e) {
            LOG.debugf("SMTP relay %s still unreachable: %s", relay(), e.getMessage());
            return false;
        }
    }

    private String relay() {
        return config.host() + ":" + config.port();
    }

    private void connect(Transport transport) throws ChannelUnavailableException {
        try {
            transport.connect(config.host(), config.port(), config.username().orElse(null),
                    config.password().orElse(null));
        } catch (MessagingException e) {
            throw new ChannelUnavailableException("SMTP relay " + relay() + " unreachable: " + oneLine(e.getMessage()));
        }
    }

    /**
     * What a reply answered: one recipient (RCPT TO), the sender (MAIL FROM), the message (DATA); or
     * nothing, the connection breaking before the message was written (CONNECTION) or after it, before
     * the relay confirmed it (UNCONFIRMED: it may or may not have been taken).
     */
    enum Stage {
        RECIPIENT,
        SENDER,
        MESSAGE,
        CONNECTION,
        UNCONFIRMED
    }

    /**
     * What the relay answered, such as 550 and "5.1.1 <x@example.com>: no such user"; code 0 when the
     * connection broke without an answer.
     */
    record Reply(int code, String text, Stage stage) {

        /** The relay's own failure, not the message's or the recipient's: it would fail any message now. */
        boolean relayFailure() {
            return stage == Stage.CONNECTION || stage == Stage.UNCONFIRMED || stage == Stage.SENDER
                    || stage == Stage.MESSAGE && code == 421;
        }

        String describe() {
            return switch (stage) {
                case CONNECTION -> "SMTP connection: " + text;
                case UNCONFIRMED -> "SMTP relay closed the connection before confirming the message";
                case SENDER -> "SMTP MAIL FROM: " + text;
                default -> "SMTP " + text;
            };
        }
    }

    /**
     * The reply an exception carries. Angus reports a connection closed where a reply was due as return
     * code -1 ("[EOF]"), and raises on any reply but the one it expected (354 to DATA, 250 to the final
     * dot): a code that is no refusal is no answer Herald can act on, and the dialogue is out of step.
     * Whether the message may have been taken all the same is known from the message itself.
     */
    static Reply replyOf(MessagingException e) {
        Reply found = null;
        for (Exception cause = e; cause != null;
                cause = cause instanceof MessagingException m ? m.getNextException() : null) {
            if (cause instanceof SMTPAddressFailedException a) {
                found = new Reply(a.getReturnCode(), oneLine(a.getMessage()), Stage.RECIPIENT);
                break;
            }
            if (found == null && cause instanceof SMTPSenderFailedException f) {
                found = new Reply(f.getReturnCode(), oneLine(f.getMessage()), Stage.SENDER);
            }
            if (found == null && cause instanceof SMTPSendFailedException m) {
                found = new Reply(m.getReturnCode(), oneLine(m.getMessage()), Stage.MESSAGE);
            }
        }
        if (found == null) {
            return new Reply(0, oneLine(e.getMessage()), Stage.CONNECTION);
        }
        return found.code() < 400 ? new Reply(0, found.text(), Stage.CONNECTION) : found;
    }

    static String oneLine(String text) {
        return text == null ? "" : text.replaceAll("\\s+", " ").strip();
    }

    private static void closeQuietly(Transport transport) {
        try {
            transport.close();
        } catch (MessagingException e) {
            LOG.debug("Closing a broken SMTP connection failed", e);
        }
    }

    @Scheduled(every = "1s", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void closeStalledConnections() {
        for (Connection connection : connections) {
            if (connection.watchdog().closeIfStalled()) {
                LOG.warnf("SMTP relay %s:%d took longer than %s over one message; connection closed", config.host(),
                        config.port(), config.timeout());
            }
        }
    }

    @PreDestroy
    void close() {
        connections.forEach(connection -> closeQuietly(connection.transport()));
    }

    private static Properties properties(SmtpConfig config) {
        Properties p = new Properties();
        String timeout = String.valueOf(config.timeout().toMillis());
        p.put("mail.smtp.host", config.host());
        p.put("mail.smtp.port", String.valueOf(config.port()));
        p.put("mail.smtp.connectiontimeout", timeout);
        p.put("mail.smtp.timeout", timeout);
        // No mail.smtp.writetimeout: SmtpWatchdog bounds writes at a fraction of its cost.
        p.put("mail.smtp.auth", String.valueOf(config.username().isPresent()));
        p.put("mail.smtp.starttls.enable", String.valueOf(config.starttls()));
        p.put("mail.smtp.starttls.required", String.valueOf(config.starttls()));
        // Do not wait for the reply to QUIT when closing: nothing depends on it.
        p.put("mail.smtp.quitwait", "false");
        return p;
    }
}
