package dev.herald.render;

import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;

/**
 * One locale's message: the subject, the sections regulators ask a breach notice to carry, and the
 * HTML and plain-text bodies that lay them out. Every field is a Qute template.
 */
public record LocaleTemplate(
        @NotBlank @Size(max = 500) String subject,
        @NotNull @Valid Sections sections,
        @NotBlank @Size(max = 200_000) String html,
        @NotBlank @Size(max = 200_000) String text) {

    public record Sections(
            @NotBlank @Size(max = 20_000) String whatHappened,
            @NotBlank @Size(max = 20_000) String informationInvolved,
            @NotBlank @Size(max = 20_000) String whatWeAreDoing,
            @NotBlank @Size(max = 20_000) String whatYouCanDo,
            @NotBlank @Size(max = 20_000) String contact) {
    }
}
