package dev.herald.delivery;

import java.time.OffsetDateTime;
import java.util.List;
import java.util.function.UnaryOperator;

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

        /** The view with its destination and last error as the caller may see them. */
        public DeliveryView shown(UnaryOperator<String> destinationShown, UnaryOperator<String> textShown) {
            return new DeliveryView(id, noticeId, customerId, channel, destinationShown.apply(destination), status,
                    attempts, updatedAt, nextAttemptAt, textShown.apply(lastError), fallbackOf);
        }
    }

    /** One page; pass {@code next} as {@code after} for the following page, absent on the last. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record DeliveryPage(List<DeliveryView> items, Long next) {
    }

    public record DeliveryEvent(OffsetDateTime at, String kind, String detail) {

        public DeliveryEvent withDetail(String shown) {
            return new DeliveryEvent(at, kind, shown);
        }
    }

    public record CustomerDelivery(String noticeName, DeliveryView delivery, List<DeliveryEvent> events) {

        public CustomerDelivery with(DeliveryView shown, List<DeliveryEvent> eventsShown) {
            return new CustomerDelivery(noticeName, shown, eventsShown);
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
