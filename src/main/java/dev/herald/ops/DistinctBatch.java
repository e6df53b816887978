package dev.herald.ops;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Collects items for a set-based upsert and hands them on in batches. One INSERT … ON CONFLICT
 * cannot touch the same row twice, so an item whose key is already in the batch starts a new one.
 */
public final class DistinctBatch<T> {

    private final int size;
    private final Function<T, String> key;
    private final Consumer<List<T>> sink;
    private final List<T> items;
    private final Set<String> keys = new HashSet<>();

    public DistinctBatch(int size, Function<T, String> key, Consumer<List<T>> sink) {
        this.size = size;
        this.key = key;
        this.sink = sink;
        this.items = new ArrayList<>(size);
    }

    public void add(T item) {
        String k = key.apply(item);
        if (keys.contains(k) || items.size() == size) {
            flush();
        }
        items.add(item);
        keys.add(k);
    }

    public void flush() {
        if (!items.isEmpty()) {
            sink.accept(List.copyOf(items));
            items.clear();
            keys.clear();
        }
    }
}
