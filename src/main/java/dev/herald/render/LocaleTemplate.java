package dev.herald.render;

import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;

/**
 * One locale's message: the subject, the sections regulators ask a breach notice to carry, the HTML
 * and plain-text bodies that lay them out, and the push notification (required when the notice is
 * sent by push). Every field is a Qute template.
 */
public record LocaleTemplate(
        @NotBlank @Size(max = 500) String subject,
        @NotNull @Valid Sections sections,
        @NotBlank @Size(max = 200_000) String html,
        @NotBlank @Size(max = 200_000) String text,
        @Valid Push push) {

    /**
     * The push notification: what a lock screen shows. Keep personal data out of it: a title and a
     * line that send the customer to the app or the email, not the details of the breach.
     */
    public record Push(
            @NotBlank @Size(max = 200) String title,
            @NotBlank @Size(max = 2_000) String body) {
    }

    /**
     * What a breach notice says, as the laws name it; {@code likelyConsequences} is optional but GDPR
     * requires it (Art. 33(3)(c)).
     */
    public record Sections(
            @NotBlank @Size(max = 20_000) String whatHappened,
            @NotBlank @Size(max = 20_000) String informationInvolved,
            @NotBlank @Size(max = 20_000) String whatWeAreDoing,
            @NotBlank @Size(max = 20_000) String whatYouCanDo,
            @NotBlank @Size(max = 20_000) String contact,
            @Size(max = 20_000) String likelyConsequences) {
    }
}
