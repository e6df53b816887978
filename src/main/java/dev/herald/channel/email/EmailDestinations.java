package dev.herald.channel.email;

import jakarta.enterprise.context.ApplicationScoped;

import dev.herald.channel.DestinationSource;
import dev.herald.delivery.DeliveryChannel;

/**
 * A customer's email address is their email destination. A customer without one, or whose address is
 * on the suppression list (a hard bounce, a complaint), is planned SKIPPED with the reason.
 */
@ApplicationScoped
public class EmailDestinations implements DestinationSource {

    @Override
    public DeliveryChannel channel() {
        return DeliveryChannel.EMAIL;
    }

    @Override
    public String sql() {
        return """
                SELECT s.id, s.email,
                       CASE WHEN s.email IS NULL THEN 'no email address'
                            WHEN x.reason IS NOT NULL
                            THEN 'address suppressed: ' || x.reason || ' on ' || to_char(x.created_at, 'YYYY-MM-DD') END
                  FROM audience s LEFT JOIN suppressed_address x ON x.address = lower(s.email)""";
    }
}
