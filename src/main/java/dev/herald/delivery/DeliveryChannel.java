package dev.herald.delivery;

import java.util.Locale;

/** A way of reaching a customer; the database enum delivery_channel has the same names. */
public enum DeliveryChannel {
    EMAIL,
    PUSH;

    /** The broker routing key of this channel's batches, and the name its configuration uses ("email"). */
    public String key() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The routing key of deliveries postponed for a receiving domain's pace ("email.later"). */
    public String laterKey() {
        return key() + ".later";
    }
}
