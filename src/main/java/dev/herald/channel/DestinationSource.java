package dev.herald.channel;

import dev.herald.delivery.DeliveryChannel;

/** Where a channel reaches each customer of an audience, as SQL, so that planning stays inside PostgreSQL. */
public interface DestinationSource {

    DeliveryChannel channel();

    /**
     * SQL over {@code audience} (rows of the customer table) selecting, for each delivery to plan,
     * {@code (customer_id, destination, skip_reason)}; a non-null skip reason plans it SKIPPED, such as
     * "no email address". Bind parameters are not allowed.
     */
    String sql();
}
