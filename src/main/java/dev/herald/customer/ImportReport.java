package dev.herald.customer;

import java.util.List;

import dev.herald.ops.Rejections.Rejection;

/**
 * What an import did. {@code rejections} lists at most the first 1000 refused lines;
 * {@code rejected} counts them all.
 */
public record ImportReport(long received, long inserted, long updated, long unchanged, long rejected,
        List<Rejection> rejections) {
}
