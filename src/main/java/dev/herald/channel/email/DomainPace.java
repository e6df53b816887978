package dev.herald.channel.email;

import java.time.Duration;
import java.time.Instant;

import dev.herald.channel.Throttle;
import io.github.bucket4j.Bucket;
import io.github.bucket4j.TokensInheritanceStrategy;

/**
 * This pod's pace towards one receiving domain group: its share of the fleet's pace, as a token bucket,
 * and the calendar of the deliveries postponed for it. Postponed deliveries take the calendar's slots in
 * turn, spaced at the pace the group will have by then (it grows back while the group stays quiet), so
 * that they come back spread at the group's pace instead of all at once; a later deferral makes them come
 * back faster than the pace allows, and the later queue's senders postpone what does not fit again.
 */
public final class DomainPace {

    /**
     * A pace of {@code base} messages per second that grows by {@code growth} per second from
     * {@code growsFrom} on, never above {@code cap}.
     */
    record Rate(double base, Instant growsFrom, double growth, double cap) {

        static Rate fixed(double perSecond) {
            return new Rate(perSecond, Instant.MAX, 0, perSecond);
        }

        double at(Instant when) {
            double seconds = when.isAfter(growsFrom) ? Duration.between(growsFrom, when).toMillis() / 1000.0 : 0;
            return Math.min(cap, base + growth * seconds);
        }
    }

    private final Bucket bucket;
    private Rate rate;
    private double perSecond;
    /** When the next free slot for a postponed delivery is. */
    private Instant calendar = Instant.now();

    DomainPace(Rate rate) {
        this.rate = rate;
        this.perSecond = rate.at(Instant.now());
        this.bucket = Throttle.bucket(perSecond);
    }

    public synchronized double perSecond() {
        return perSecond;
    }

    /**
     * A send slot now for a delivery that has not waited yet: none while deliveries postponed for this
     * group are due before it, so that they keep their turn.
     */
    public synchronized boolean tryAcquireFresh() {
        return !calendar.isAfter(Instant.now()) && bucket.tryConsume(1);
    }

    /** A send slot now, for a delivery that waited for its turn. */
    public boolean tryAcquire() {
        return bucket.tryConsume(1);
    }

    /** How long until {@link #tryAcquire} can succeed. */
    public long nanosUntilNextSlot() {
        return bucket.estimateAbilityToConsume(1).getNanosToWaitForRefill();
    }

    /** Takes the calendar's next free slot: when a postponed delivery is due again. */
    public synchronized Instant postpone() {
        Instant now = Instant.now();
        Instant slot = calendar.isAfter(now) ? calendar : now;
        calendar = slot.plusNanos(Math.round(1e9 / rate.at(slot)));
        return slot;
    }

    /** The pace from now on; the bucket takes the rate of this moment. */
    synchronized void rate(Rate newRate) {
        rate = newRate;
        double now = newRate.at(Instant.now());
        if (now != perSecond) {
            perSecond = now;
            bucket.replaceConfiguration(Throttle.configuration(now), TokensInheritanceStrategy.PROPORTIONALLY);
        }
    }
}
