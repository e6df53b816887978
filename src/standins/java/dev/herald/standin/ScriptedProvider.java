package dev.herald.standin;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;

/**
 * What both push stand-ins keep: the answers scripted per device token, the messages that arrived
 * (for tests; the benchmark only counts), and who listens to them (the demo).
 *
 * @param <R> a message as it arrived
 * @param <A> the answers the provider can give
 */
abstract class ScriptedProvider<R, A> {

    private final Map<String, Deque<A>> scripts = new ConcurrentHashMap<>();
    private final List<R> received = new CopyOnWriteArrayList<>();
    private final LongAdder accepted = new LongAdder();
    private final boolean keepReceived;
    private volatile Consumer<R> listener = message -> {
    };

    ScriptedProvider(boolean keepReceived) {
        this.keepReceived = keepReceived;
    }

    /** The answers a token gets, one per message, in order; then its messages are accepted. */
    @SafeVarargs
    public final void script(String token, A... answers) {
        scripts.put(token, new ArrayDeque<>(List.of(answers)));
    }

    /** Called with every message that arrives (the demo shows what each device would display). */
    public void onReceived(Consumer<R> listener) {
        this.listener = listener;
    }

    public List<R> received() {
        return List.copyOf(received);
    }

    public long accepted() {
        return accepted.sum();
    }

    boolean keepsReceived() {
        return keepReceived;
    }

    /** A message arrived: kept and shown when asked for. */
    void arrived(R message) {
        received.add(message);
        listener.accept(message);
    }

    /** The next scripted answer for a token, or null: accept. */
    A answerFor(String token) {
        Deque<A> script = scripts.get(token);
        return script == null ? null : script.poll();
    }

    void countAccepted() {
        accepted.increment();
    }
}
