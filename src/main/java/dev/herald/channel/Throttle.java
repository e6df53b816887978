package dev.herald.channel;

import java.time.Duration;
import java.util.concurrent.Semaphore;

import io.github.bucket4j.Bucket;
import io.github.bucket4j.BucketConfiguration;
import io.github.bucket4j.TokensInheritanceStrategy;

/**
 * This pod's pace towards one relay: a rate (messages per second) and a number of connections in
 * use at once, both changeable while sending. When the relay pushes back (a 4xx reply) the rate
 * ceiling halves; after a quiet second it grows back by a quarter, up to this pod's share.
 */
public final class Throttle {

    /** The ceiling never drops below this share of the limit, so that a burst of pushback cannot stall sending. */
    private static final double FLOOR = 0.05;
    private static final long RECOVERY_NANOS = Duration.ofSeconds(1).toNanos();

    private final Bucket bucket;
    private final Connections connections;
    private double share;
    private double ceiling;
    private long lastChangeNanos = System.nanoTime();

    Throttle(double messagesPerSecond, int connections) {
        this.share = messagesPerSecond;
        this.ceiling = messagesPerSecond;
        this.bucket = bucket(messagesPerSecond);
        this.connections = new Connections(connections);
    }

    /** Waits for this pod's next send slot. */
    public void acquire() throws InterruptedException {
        recover();
        bucket.asBlocking().consume(1);
    }

    /** Waits for one of the connections this pod may use now. */
    public void acquireConnection() throws InterruptedException {
        connections.acquire();
    }

    public void releaseConnection() {
        connections.release();
    }

    /** The relay asked Herald to slow down. */
    public synchronized void pushedBack() {
        setCeiling(Math.max(share * FLOOR, ceiling / 2));
    }

    /** This pod's share of the fleet's limit, from {@link SendLimits}. */
    synchronized void share(double messagesPerSecond, int connectionCount) {
        share = messagesPerSecond;
        setCeiling(Math.min(ceiling, share));
        connections.resize(connectionCount);
    }

    public synchronized double share() {
        return share;
    }

    /** The rate this pod sends at now: its share, or less after the relay pushed back. */
    public synchronized double current() {
        return ceiling;
    }

    public int connections() {
        return connections.size();
    }

    private synchronized void recover() {
        long now = System.nanoTime();
        if (ceiling < share && now - lastChangeNanos >= RECOVERY_NANOS) {
            setCeiling(Math.min(share, ceiling * 1.25));
        }
    }

    private void setCeiling(double messagesPerSecond) {
        lastChangeNanos = System.nanoTime();
        if (messagesPerSecond != ceiling) {
            ceiling = messagesPerSecond;
            bucket.replaceConfiguration(configuration(ceiling), TokensInheritanceStrategy.PROPORTIONALLY);
        }
    }

    /** A bucket that paces sends at {@code messagesPerSecond}. */
    public static Bucket bucket(double messagesPerSecond) {
        return Bucket.builder().addLimit(configuration(messagesPerSecond).getBandwidths()[0]).build();
    }

    /** A tenth of a second's worth of burst: sends are paced, not lumped at the start of each second. */
    public static BucketConfiguration configuration(double messagesPerSecond) {
        long periodNanos = Math.max(1, Math.round(1e9 / messagesPerSecond));
        long burst = Math.max(1, Math.round(messagesPerSecond / 10));
        return BucketConfiguration.builder()
                .addLimit(limit -> limit.capacity(burst).refillGreedy(1, Duration.ofNanos(periodNanos)))
                .build();
    }

    /** A semaphore whose number of permits can shrink while permits are held. */
    private static final class Connections extends Semaphore {
        private int size;

        Connections(int size) {
            super(size, true);
            this.size = size;
        }

        synchronized void resize(int newSize) {
            if (newSize > size) {
                release(newSize - size);
            } else if (newSize < size) {
                reducePermits(size - newSize);
            }
            size = newSize;
        }

        synchronized int size() {
            return size;
        }
    }
}
