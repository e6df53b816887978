package dev.herald.evidence;

import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.util.Set;

import jakarta.validation.Valid;
import jakarta.validation.constraints.Email;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;

/**
 * What is known about the breach, as data rather than prose, so that the laws' required elements can
 * be checked, the deadlines counted and the facts reported. Templates print them as
 * {@code breach.*} (see the README).
 */
public record BreachFacts(
        @NotNull OffsetDateTime discoveredAt,
        @NotNull LocalDate breachStart,
        LocalDate breachEnd,
        Boolean breachDateEstimated,
        @NotEmpty @Size(max = 30) Set<@NotNull DataType> dataTypes,
        @NotNull Boolean lawEnforcementDelay,
        OffsetDateTime lawEnforcementHoldUntil,
        @NotNull @Valid Organisation organisation,
        @NotNull @Valid ContactPoint contact,
        @Valid Remedy remedy) {

    /** The business or entity giving notice. */
    public record Organisation(@NotBlank @Size(max = 200) String name, @Size(max = 500) String website) {
    }

    /**
     * The contact point (GDPR: the data-protection officer or another contact point; HIPAA: a toll-free
     * number, an email address, a website or a postal address).
     */
    public record ContactPoint(@NotBlank @Size(max = 200) String name, @Email @Size(max = 254) String email,
            @Size(max = 50) String phone, @Size(max = 500) String website, @Size(max = 500) String postalAddress) {

        boolean reachable() {
            return email != null || phone != null || website != null || postalAddress != null;
        }
    }

    /** What is offered to the people affected, such as identity-theft protection for 24 months. */
    public record Remedy(@NotBlank @Size(max = 2000) String description, @Min(0) @Max(120) Integer months) {
    }
}
