package dev.herald.console;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;

import org.junit.jupiter.api.Test;

import dev.herald.delivery.DeliveryChannel;
import dev.herald.delivery.DeliveryStatus;
import dev.herald.delivery.DeliveryViews.CustomerDelivery;
import dev.herald.delivery.DeliveryViews.DeliveryEvent;
import dev.herald.delivery.DeliveryViews.DeliveryView;

/** What support reads of an attempt the relay never confirmed: not "refused", and whether it went again. */
class TimelineTest {

    private static final OffsetDateTime TEN = OffsetDateTime.of(2026, 12, 2, 10, 0, 0, 0, ZoneOffset.UTC);
    private static final String HUNG_UP = "SMTP relay closed the connection before confirming the message";
    private final Timeline timeline = new Timeline(ZoneOffset.UTC, TEN);

    @Test
    void anUnconfirmedAttemptFollowedByAReceiptReadsSentAgain() {
        List<String> lines = lines(DeliveryStatus.SENT, 2, List.of(retry(TEN)));
        assertThat(lines).containsExactly("Email not confirmed on 2 Dec at 10:00: " + HUNG_UP + "; sent again",
                "Email accepted by the mail server on 2 Dec at 10:05");
    }

    @Test
    void anUnconfirmedAttemptStillWaitingReadsToBeSentAgain() {
        List<String> lines = lines(DeliveryStatus.PENDING, 2, List.of(retry(TEN), retry(TEN.plusMinutes(1))));
        assertThat(lines).startsWith("Email not confirmed on 2 Dec at 10:00: " + HUNG_UP + "; sent again",
                "Email not confirmed on 2 Dec at 10:01: " + HUNG_UP + "; to be sent again");
    }

    private static DeliveryEvent retry(OffsetDateTime at) {
        return new DeliveryEvent(at, "RETRY_SCHEDULED", HUNG_UP);
    }

    private List<String> lines(DeliveryStatus status, int attempts, List<DeliveryEvent> events) {
        DeliveryView view = new DeliveryView(1, 1, "c-1", DeliveryChannel.EMAIL, "c***@example.com", status, attempts,
                TEN.plusMinutes(5), null, null, null);
        return timeline.tell(List.of(new CustomerDelivery("Notice", view, events))).get(0).channels().get(0).lines()
                .stream().map(Timeline.Line::text).toList();
    }
}
