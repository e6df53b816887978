package dev.herald.channel.push;

import dev.herald.customer.DeviceView;
import dev.herald.render.RenderedPush;

/** One push to send: to which device, what it says, and the delivery it belongs to. */
record PushMessage(long noticeId, long deliveryId, DeviceView device, RenderedPush text) {

    /** apns-collapse-id and FCM collapse key: a notice sent again replaces its earlier push on the device. */
    String collapseId() {
        return "herald-notice-" + noticeId;
    }
}
