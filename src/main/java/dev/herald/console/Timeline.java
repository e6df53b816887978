package dev.herald.console;

import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import dev.herald.delivery.DeliveryChannel;
import dev.herald.delivery.DeliveryStatus;
import dev.herald.delivery.DeliveryViews.CustomerDelivery;
import dev.herald.delivery.DeliveryViews.DeliveryEvent;
import dev.herald.delivery.DeliveryViews.DeliveryView;

/** A customer's deliveries told in plain words, per notice and channel, for support staff on the phone. */
final class Timeline {

    /** How a line reads at a glance: reached, not reached, or still under way. */
    enum Tone {
        REACHED, NOT_REACHED, WAITING, CONTEXT
    }

    record Line(String text, Tone tone) {
    }

    record ChannelStory(long deliveryId, String channel, String destination, DeliveryStatus status, Tone tone,
            List<Line> lines, boolean hasContent) {
    }

    record NoticeStory(long noticeId, String noticeName, List<ChannelStory> channels) {
    }

    private static final DateTimeFormatter THIS_YEAR = DateTimeFormatter.ofPattern("d MMM 'at' HH:mm", Locale.ENGLISH);
    private static final DateTimeFormatter OTHER_YEAR = DateTimeFormatter.ofPattern("d MMM yyyy 'at' HH:mm",
            Locale.ENGLISH);

    private final ZoneId zone;
    private final int thisYear;

    Timeline(ZoneId zone, OffsetDateTime now) {
        this.zone = zone;
        this.thisYear = now.atZoneSameInstant(zone).getYear();
    }

    /** Newest notice first, as the deliveries come. */
    List<NoticeStory> tell(List<CustomerDelivery> deliveries) {
        Map<Long, NoticeStory> stories = new LinkedHashMap<>();
        for (CustomerDelivery d : deliveries) {
            stories.computeIfAbsent(d.delivery().noticeId(),
                    id -> new NoticeStory(id, d.noticeName(), new ArrayList<>())).channels().add(story(d));
        }
        return List.copyOf(stories.values());
    }

    private ChannelStory story(CustomerDelivery d) {
        DeliveryView v = d.delivery();
        String channel = word(v.channel());
        List<Line> lines = new ArrayList<>();
        if (v.fallbackOf() != null) {
            lines.add(new Line("Sent because the notice's first channel did not reach the customer", Tone.CONTEXT));
        }
        String fallback = null;
        // A retry is told as sent again once a later attempt was made: a later retry, or an outcome after it.
        long retries = d.events().stream().filter(e -> e.kind().equals("RETRY_SCHEDULED")).count();
        boolean attemptedSince = switch (v.status()) {
            case SENT, DELIVERED, BOUNCED, FAILED -> true;
            default -> false;
        };
        long retry = 0;
        for (DeliveryEvent e : d.events()) {
            switch (e.kind()) {
                // Not "not accepted": a connection closed before the reply may have delivered the message.
                case "RETRY_SCHEDULED" -> lines.add(new Line(channel + " not confirmed on " + when(e.at()) + ": "
                        + reason(e.detail()) + (++retry < retries || attemptedSince ? "; sent again" : "; to be sent again"),
                        Tone.WAITING));
                case "DEFERRED" -> lines.add(new Line(channel + " deferred by the receiving provider on " + when(e.at())
                        + " for Herald's pace, not the customer's fault: " + reason(e.detail()), Tone.WAITING));
                case "FALLBACK" -> fallback = e.detail();
                case "COMPLAINT" -> lines.add(new Line("The customer reported the email as spam on " + when(e.at()),
                        Tone.NOT_REACHED));
                default -> {
                    // FAILED, DELIVERED and bounces are told by the status line below, with their time; a
                    // provider's report that changed nothing (a delivery report after a bounce) is not news.
                }
            }
        }
        Line status = statusLine(v, channel);
        lines.add(fallback == null ? status : new Line(status.text() + "; " + fallback, status.tone()));
        return new ChannelStory(v.id(), channel, v.destination(), v.status(), status.tone(), lines,
                v.status() == DeliveryStatus.SENT || v.status() == DeliveryStatus.DELIVERED
                        || v.status() == DeliveryStatus.BOUNCED);
    }

    private Line statusLine(DeliveryView v, String channel) {
        String at = when(v.updatedAt());
        String why = reason(v.lastError());
        return switch (v.status()) {
            case PENDING -> new Line(channel + " waiting to be sent" + (v.nextAttemptAt() == null ? ""
                    : "; next attempt " + when(v.nextAttemptAt())), Tone.WAITING);
            case QUEUED -> new Line(channel + " queued for sending", Tone.WAITING);
            case SENT -> new Line(channel + " accepted by " + provider(v) + " on " + at, Tone.REACHED);
            case DELIVERED -> new Line(channel + " delivered to the mailbox on " + at, Tone.REACHED);
            case BOUNCED -> new Line(channel + " bounced on " + at + ": " + why, Tone.NOT_REACHED);
            case FAILED -> new Line(channel + " failed on " + at + ": " + why, Tone.NOT_REACHED);
            case SKIPPED -> new Line(channel + " not sent: " + why, Tone.NOT_REACHED);
            case CANCELLED -> new Line(channel + " not sent: the notice was cancelled on " + at, Tone.NOT_REACHED);
        };
    }

    private String reason(String recorded) {
        return recorded == null ? "no reason recorded" : recorded;
    }

    String when(OffsetDateTime at) {
        if (at == null) {
            return "an unknown time";
        }
        var local = at.atZoneSameInstant(zone);
        return (local.getYear() == thisYear ? THIS_YEAR : OTHER_YEAR).format(local);
    }

    private static String word(DeliveryChannel channel) {
        return switch (channel) {
            case EMAIL -> "Email";
            case PUSH -> "Push";
        };
    }

    /** Push destinations are "PLATFORM:app:token". */
    private static String provider(DeliveryView v) {
        if (v.channel() == DeliveryChannel.EMAIL) {
            return "the mail server";
        }
        String destination = v.destination() == null ? "" : v.destination();
        return destination.startsWith("APNS:") ? "Apple's push service" : "Google's push service (FCM)";
    }
}
