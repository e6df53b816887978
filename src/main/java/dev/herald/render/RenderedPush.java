package dev.herald.render;

/** One customer's push notification text, ready to be put in a provider's payload. */
public record RenderedPush(String locale, String title, String body) {
}
