package dev.herald.dispatch;

import java.util.List;

/** A broker message: which deliveries of which notice to send. Small by design; rendering happens in the worker. */
public record DeliveryBatch(long noticeId, List<Long> ids) {
}
