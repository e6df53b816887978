package dev.herald.delivery;

/** A way of reaching a customer; the database enum delivery_channel has the same names. */
public enum Channel {
    EMAIL,
    PUSH
}
