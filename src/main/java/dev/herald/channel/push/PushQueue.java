package dev.herald.channel.push;

import java.sql.SQLException;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.reactive.messaging.Incoming;

import dev.herald.dispatch.DeliveryWorker;
import io.smallrye.reactive.messaging.annotations.Blocking;
import io.vertx.core.json.JsonObject;

/** The push queue's consumer: a few batches at a time, each with many messages waiting on their providers. */
@ApplicationScoped
public class PushQueue {

    private final DeliveryWorker worker;
    private final PushSender sender;

    PushQueue(DeliveryWorker worker, PushSender sender) {
        this.worker = worker;
        this.sender = sender;
    }

    @Incoming("push-work")
    @Blocking(value = "push-senders", ordered = false)
    public void deliver(JsonObject message) throws SQLException {
        worker.deliver(sender, message);
    }
}
