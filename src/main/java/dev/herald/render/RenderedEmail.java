package dev.herald.render;

/** One customer's email, ready to send; {@code locale} is the template locale that was chosen. */
public record RenderedEmail(String locale, String subject, String html, String text) {
}
