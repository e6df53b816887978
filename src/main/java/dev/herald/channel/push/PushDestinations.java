package dev.herald.channel.push;

import jakarta.enterprise.context.ApplicationScoped;

import dev.herald.channel.DestinationSource;
import dev.herald.delivery.DeliveryChannel;

/**
 * Every active device of a customer is a push destination, written "PLATFORM:app:token"; a customer
 * with none is planned SKIPPED, saying so.
 */
@ApplicationScoped
public class PushDestinations implements DestinationSource {

    @Override
    public DeliveryChannel channel() {
        return DeliveryChannel.PUSH;
    }

    @Override
    public String sql() {
        return """
                SELECT s.id, d.platform || ':' || d.app_id || ':' || d.token,
                       CASE WHEN d.id IS NULL THEN 'no registered device' END
                  FROM audience s LEFT JOIN device d ON d.customer_id = s.id AND d.active""";
    }
}
