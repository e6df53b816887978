package dev.herald.notice;

import dev.herald.delivery.DeliveryChannel;

/**
 * Which channel a notice tries first, and which one reaches the customers the first did not: its
 * delivery FAILED, BOUNCED, or was SKIPPED for want of a destination.
 */
public enum Fallback {
    EMAIL_THEN_PUSH(DeliveryChannel.EMAIL, DeliveryChannel.PUSH),
    PUSH_THEN_EMAIL(DeliveryChannel.PUSH, DeliveryChannel.EMAIL);

    private final DeliveryChannel first;
    private final DeliveryChannel then;

    Fallback(DeliveryChannel first, DeliveryChannel then) {
        this.first = first;
        this.then = then;
    }

    public DeliveryChannel first() {
        return first;
    }

    public DeliveryChannel then() {
        return then;
    }
}
