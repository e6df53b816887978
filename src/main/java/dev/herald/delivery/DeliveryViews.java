package dev.herald.delivery;

import java.time.OffsetDateTime;
import java.util.List;

import com.fasterxml.jackson.annotation.JsonInclude;

/** Response bodies of the delivery lookups. */
public final class DeliveryViews {

    private DeliveryViews() {
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    /** {@code fallbackOf}: the delivery on the notice's first channel this one stands in for. */
    public record DeliveryView(long id, long noticeId, String customerId, DeliveryChannel channel, String destination,
            DeliveryStatus status, int attempts, OffsetDateTime updatedAt, OffsetDateTime nextAttemptAt,
            String lastError, Long fallbackOf) {

        public DeliveryView withDestination(String shown) {
            return new DeliveryView(id, noticeId, customerId, channel, shown, status, attempts, updatedAt, nextAttemptAt,
                    lastError, fallbackOf);
        }
    }

    /** One page; pass {@code next} as {@code after} for the following page, absent on the last. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record DeliveryPage(List<DeliveryView> items, Long next) {
    }

    public record DeliveryEvent(OffsetDateTime at, String kind, String detail) {
    }

    public record CustomerDelivery(String noticeName, DeliveryView delivery, List<DeliveryEvent> events) {

        public CustomerDelivery withDelivery(DeliveryView shown) {
            return new CustomerDelivery(noticeName, shown, events);
        }
    }

    public record CustomerDeliveries(String customerId, List<CustomerDelivery> deliveries) {
    }

    public record FailureReason(DeliveryChannel channel, String reason, long count) {
    }

    public record SendingSummary(long customers, OffsetDateTime ninetyNinePercentAcceptedAt) {
    }

    public record PerSecond(OffsetDateTime second, long finished) {
    }
}
