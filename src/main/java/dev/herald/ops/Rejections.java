package dev.herald.ops;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

import jakarta.validation.ConstraintViolation;

/**
 * The lines a bulk upload refused. Every refusal is counted; only the first {@link #KEPT} are listed,
 * so a file of ten million bad lines cannot fill the heap.
 */
public class Rejections {

    public static final int KEPT = 1000;

    public record Rejection(long line, String reason) {
    }

    private final List<Rejection> kept = new ArrayList<>();
    private long count;

    public void add(long line, String reason) {
        count++;
        if (kept.size() < KEPT) {
            kept.add(new Rejection(line, reason));
        }
    }

    public long count() {
        return count;
    }

    /** The kept rejections in line order (some are only found when their batch is written). */
    public List<Rejection> kept() {
        return kept.stream().sorted(java.util.Comparator.comparingLong(Rejection::line)).toList();
    }

    /** "email: must be a well-formed email address; country: …", in field order. */
    public static String describe(Set<? extends ConstraintViolation<?>> violations) {
        return violations.stream()
                .map(v -> v.getPropertyPath() + ": " + v.getMessage())
                .sorted()
                .collect(Collectors.joining("; "));
    }
}
