package dev.herald.dispatch;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.eclipse.microprofile.reactive.messaging.Metadata;
import org.jboss.logging.Logger;

import dev.herald.delivery.DeliveryChannel;
import dev.herald.delivery.DeliveryLedger;
import dev.herald.ops.Jdbc;
import io.smallrye.reactive.messaging.MutinyEmitter;
import io.smallrye.reactive.messaging.rabbitmq.OutgoingRabbitMQMetadata;
import io.vertx.core.json.JsonObject;

/**
 * Hands deliveries to the broker, one queue per channel (the routing key is the channel's name). What
 * is handed out is recorded by the ledger before any message about it is published; what the broker
 * refused is handed back at once, and what it lost is found again by {@link #republishStale}.
 */
@ApplicationScoped
public class Dispatcher {

    private static final Logger LOG = Logger.getLogger(Dispatcher.class);

    private final MutinyEmitter<JsonObject> batches;
    private final DeliveryLedger ledger;
    private final DispatchConfig config;

    Dispatcher(@Channel("deliveries") MutinyEmitter<JsonObject> batches, DeliveryLedger ledger, DispatchConfig config) {
        this.batches = batches;
        this.ledger = ledger;
        this.config = config;
    }

    /** Hands out and publishes the next window of up to {@code room} never-attempted deliveries; returns how many. */
    int publishNew(Connection connection, long noticeId, DeliveryChannel channel, long room, long upTo)
            throws SQLException {
        List<Long> ids = Jdbc.inTransaction(connection, c -> ledger.handOut(c, noticeId, channel, room, upTo));
        publishOrHandBack(connection, noticeId, channel, channel.key(), ids);
        return ids.size();
    }

    /**
     * Claims and publishes up to {@code room} deliveries whose retry is due. Those postponed for their
     * domain group's pace go to the channel's later queue, whose senders may wait for that pace without
     * holding up the batches of the main queue.
     */
    int publishDueRetries(Connection connection, long noticeId, DeliveryChannel channel, long room)
            throws SQLException {
        DeliveryLedger.HandedOut due = Jdbc.inTransaction(connection,
                c -> ledger.claimDueRetries(c, noticeId, channel, room));
        publishOrHandBack(connection, noticeId, channel, channel.key(), due.main());
        publishOrHandBack(connection, noticeId, channel, channel.laterKey(), due.later());
        return due.size();
    }

    /**
     * Publishes again what has waited too long since it was handed out: its message was lost, or the pod
     * handling it died before leasing it. Deliveries a worker holds are left to it, so a re-publish
     * never sends twice.
     */
    void republishStale(Connection connection, long noticeId, DeliveryChannel channel) throws SQLException {
        DeliveryLedger.HandedOut ids = Jdbc.inTransaction(connection,
                c -> ledger.republishable(c, noticeId, channel, config.requeueAfter(), config.maxInFlight()));
        if (ids.size() > 0) {
            LOG.infof("Notice %d: publishing %d %s deliveries again", noticeId, ids.size(), channel.key());
            if (!ids.main().isEmpty()) {
                publish(noticeId, channel, channel.key(), ids.main());
            }
            if (!ids.later().isEmpty()) {
                publish(noticeId, channel, channel.laterKey(), ids.later());
            }
        }
    }

    private void publishOrHandBack(Connection connection, long noticeId, DeliveryChannel channel, String routingKey,
            List<Long> ids) throws SQLException {
        if (!ids.isEmpty() && !publish(noticeId, channel, routingKey, ids)) {
            // Refused by the broker: handed back, and published again by the sweeper at its next pass.
            Jdbc.inTransaction(connection, c -> {
                ledger.release(c, noticeId, channel, ids, 0);
                return null;
            });
        }
    }

    /**
     * Publishes in batches of every K-th id (K = number of batches), so that rows sharing a page land
     * in different batches; answers whether the broker confirmed every batch.
     */
    private boolean publish(long noticeId, DeliveryChannel channel, String routingKey, List<Long> ids) {
        int batchCount = (ids.size() + config.batchSize() - 1) / config.batchSize();
        Metadata route = Metadata.of(OutgoingRabbitMQMetadata.builder().withRoutingKey(routingKey).build());
        try {
            for (int b = 0; b < batchCount; b++) {
                List<Long> batch = new ArrayList<>(config.batchSize());
                for (int i = b; i < ids.size(); i += batchCount) {
                    batch.add(ids.get(i));
                }
                // Bounded: with the broker down, the tick must come back and try again later, not hang.
                batches.sendMessage(Message.of(JsonObject.mapFrom(new DeliveryBatch(noticeId, batch)), route))
                        .await().atMost(config.publishTimeout());
            }
            return true;
        } catch (RuntimeException e) {
            LOG.warnf(e, "Notice %d: the broker did not take a batch of %s deliveries", noticeId, channel.key());
            return false;
        }
    }
}
