package dev.herald.channel.email;

import java.sql.SQLException;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.reactive.messaging.Incoming;

import dev.herald.dispatch.DeliveryWorker;
import io.smallrye.reactive.messaging.annotations.Blocking;
import io.vertx.core.json.JsonObject;

/** The email queue's consumer: one batch at a time per SMTP connection, through the shared delivery pipeline. */
@ApplicationScoped
public class EmailQueue {

    private final DeliveryWorker worker;
    private final EmailSender sender;

    EmailQueue(DeliveryWorker worker, EmailSender sender) {
        this.worker = worker;
        this.sender = sender;
    }

    @Incoming("email-work")
    @Blocking(value = "email-senders", ordered = false)
    public void deliver(JsonObject message) throws SQLException {
        worker.deliver(sender, message);
    }
}
