package dev.herald.dispatch;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Instance;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;

import dev.herald.channel.DestinationSource;
import dev.herald.delivery.DeliveryChannel;
import dev.herald.delivery.DeliveryLedger;
import dev.herald.notice.Fallback;
import dev.herald.ops.Jdbc;

/**
 * Channel fallback: deliveries of a notice's first channel that ended without reaching their
 * customer get the notice's other channel, inside the transaction that ended them (the planner's
 * chunk, the worker's record, a provider's bounce).
 */
@ApplicationScoped
public class Fallbacks {

    private final DeliveryLedger ledger;
    private final Map<DeliveryChannel, String> destinations = new EnumMap<>(DeliveryChannel.class);
    /** A notice's fallback never changes once it exists. */
    private final Cache<Long, Optional<Fallback>> fallbacks = Caffeine.newBuilder()
            .maximumSize(1_000)
            .expireAfterAccess(Duration.ofHours(6))
            .build();

    Fallbacks(DeliveryLedger ledger, Instance<DestinationSource> sources) {
        this.ledger = ledger;
        sources.forEach(source -> destinations.put(source.channel(), source.sql()));
    }

    /** The notice's fallback, or empty. */
    public Optional<Fallback> of(Connection c, long noticeId) throws SQLException {
        Optional<Fallback> known = fallbacks.getIfPresent(noticeId);
        if (known == null) {
            String fallback = Jdbc.queryOne(c, String.class, "SELECT fallback FROM notice WHERE id = ?", noticeId);
            known = Optional.ofNullable(fallback).map(Fallback::valueOf);
            fallbacks.put(noticeId, known);
        }
        return known;
    }

    /**
     * After deliveries on {@code channel} ended without reaching their customers: their fallbacks, when
     * the notice has one from that channel. Returns how many deliveries were made.
     */
    public long after(Connection c, long noticeId, DeliveryChannel channel, List<Long> ended) throws SQLException {
        if (ended.isEmpty()) {
            return 0;
        }
        Optional<Fallback> fallback = of(c, noticeId);
        if (fallback.isEmpty() || fallback.get().first() != channel) {
            return 0;
        }
        DeliveryChannel then = fallback.get().then();
        return ledger.fallback(c, noticeId, ended, then, destinations.get(then));
    }

    /** After a plan chunk: the fallbacks of the customers its first-channel deliveries SKIPPED. */
    long afterPlanning(Connection c, long noticeId, long firstId, long lastId) throws SQLException {
        Optional<Fallback> fallback = of(c, noticeId);
        if (fallback.isEmpty() || lastId == 0) {
            return 0;
        }
        List<Long> skipped = Jdbc.queryList(c, "SELECT id FROM delivery WHERE notice_id = ? AND id BETWEEN ? AND ?"
                + " AND status = 'SKIPPED'", noticeId, firstId, lastId);
        return after(c, noticeId, fallback.get().first(), skipped);
    }
}
