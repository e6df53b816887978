package dev.herald.channel;

import dev.herald.render.CompiledNotice;
import dev.herald.render.Recipient;

/** One delivery to send: where to, to whom (for rendering), and the notice's compiled templates. */
public record DeliveryJob(long noticeId, long deliveryId, int attempts, String destination, Recipient recipient,
        CompiledNotice notice) {
}
