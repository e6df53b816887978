package dev.herald.channel.email;

import java.sql.SQLException;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.reactive.messaging.Incoming;

import dev.herald.dispatch.DeliveryWorker;
import io.smallrye.reactive.messaging.annotations.Blocking;
import io.vertx.core.json.JsonObject;

/**
 * The email queues' consumers, through the shared delivery pipeline: fresh batches one at a time per SMTP
 * connection; deliveries postponed for their domain group's pace on the later queue, one batch at a time
 * per later connection, whose senders may wait for that pace without holding up fresh batches.
 */
@ApplicationScoped
public class EmailQueue {

    private final DeliveryWorker worker;
    private final EmailSender sender;
    private final EmailSender later;

    EmailQueue(DeliveryWorker worker, EmailSender sender, PaceConfig pace) {
        this.worker = worker;
        this.sender = sender;
        this.later = sender.waitingForPace(pace.laterWait());
    }

    @Incoming("email-work")
    @Blocking(value = "email-senders", ordered = false)
    public void deliver(JsonObject message) throws SQLException {
        worker.deliver(sender, message);
    }

    @Incoming("email-later")
    @Blocking(value = "email-later-senders", ordered = false)
    public void deliverLater(JsonObject message) throws SQLException {
        worker.deliver(later, message);
    }
}
