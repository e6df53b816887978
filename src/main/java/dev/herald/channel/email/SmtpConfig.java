package dev.herald.channel.email;

import java.time.Duration;
import java.util.Optional;

import io.smallrye.config.ConfigMapping;

@ConfigMapping(prefix = "herald.smtp")
public interface SmtpConfig {

    String host();

    int port();

    Optional<String> username();

    Optional<String> password();

    /** Require STARTTLS before sending anything. */
    boolean starttls();

    /** SMTP connections this pod keeps open; one email batch runs on each. */
    int connections();

    /**
     * Email batches a pod takes from the broker before it has finished those it sends: at least one per
     * connection, more so that the next batch is already there when one ends (a batch taken but not
     * started goes back to the queue if the pod dies).
     */
    int batchesHeld();

    /**
     * SMTP connections of their own for the later queue: deliveries postponed for their domain group's
     * pace, whose senders may wait for that pace.
     */
    int laterConnections();

    /**
     * Messages per second the relay takes from the whole fleet, until an operator sets another
     * limit at runtime (PUT /v1/limits/email).
     */
    double messagesPerSecond();

    /**
     * Whether to pipeline MAIL FROM, RCPT TO and DATA (RFC 2920) to a relay that advertises PIPELINING:
     * two round trips a message instead of four. Off only for a relay that advertises it and mishandles it.
     */
    boolean pipelining();

    /** Connect, read and write timeout of one SMTP exchange. */
    Duration timeout();
}
