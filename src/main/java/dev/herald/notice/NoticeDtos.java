package dev.herald.notice;

import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;

import dev.herald.delivery.DeliveryChannel;
import dev.herald.evidence.BreachFacts;
import dev.herald.evidence.Jurisdiction;
import dev.herald.ops.Rejections.Rejection;
import dev.herald.render.LocaleTemplate;

/** The notice API's request and response bodies. */
public final class NoticeDtos {

    static final String LOCALE_PATTERN = "[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*";

    private NoticeDtos() {
    }

    public record NoticeRequest(
            @NotBlank @Size(max = 200) String name,
            @NotEmpty Set<@NotNull DeliveryChannel> channels,
            @NotNull @Valid Audience audience,
            @Size(max = 50) List<@Pattern(regexp = "[A-Za-z][A-Za-z0-9_]{0,49}", message = "must be an identifier such as cardLast4") String> variables,
            @NotBlank @Pattern(regexp = LOCALE_PATTERN, message = "must be a BCP 47 language tag") String fallbackLocale,
            @NotEmpty @Size(max = 100) Map<@Pattern(regexp = LOCALE_PATTERN, message = "must be a BCP 47 language tag") String, @NotNull @Valid LocaleTemplate> templates,
            Fallback fallback,
            Set<@NotNull Jurisdiction> jurisdictions,
            @NotNull @Valid BreachFacts facts) {

        List<String> variablesOrEmpty() {
            return variables == null ? List.of() : variables;
        }

        /** The laws declared, or the generic profile alone. */
        Set<Jurisdiction> jurisdictionsOrGeneric() {
            return jurisdictions == null || jurisdictions.isEmpty() ? Set.of(Jurisdiction.GENERIC) : jurisdictions;
        }
    }

    /** Exactly one of: a saved segment, inline criteria, or the affected-account list uploaded to the notice. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Audience(Long segmentId, JsonNode criteria, Boolean affectedAccounts) {
    }

    public record NoticeView(Long id, String name, NoticeStatus status, List<String> channels, Fallback fallback,
            JsonNode audience,
            List<String> variables, String fallbackLocale, JsonNode templates, OffsetDateTime createdAt,
            OffsetDateTime dispatchedAt, OffsetDateTime plannedAt, OffsetDateTime completedAt, OffsetDateTime pausedAt,
            OffsetDateTime cancelledAt, String pauseReason, String createdBy, String approvedBy,
            OffsetDateTime approvedAt, String dispatchedBy, List<String> jurisdictions, JsonNode facts,
            List<String> warnings, NoticeProgress progress) {

        /** The same view with more warnings after its own: what a dispatch was warned about. */
        NoticeView withWarnings(List<String> more) {
            if (more.isEmpty()) {
                return this;
            }
            List<String> all = new ArrayList<>(warnings == null ? List.of() : warnings);
            all.addAll(more);
            return new NoticeView(id, name, status, channels, fallback, audience, variables, fallbackLocale, templates,
                    createdAt, dispatchedAt, plannedAt, completedAt, pausedAt, cancelledAt, pauseReason, createdBy,
                    approvedBy, approvedAt, dispatchedBy, jurisdictions, facts, List.copyOf(all), progress);
        }
    }

    public record AffectedAccount(@NotBlank String customerId, Map<String, Object> variables) {
    }

    public record AffectedUploadReport(long received, long accepted, long rejected, List<Rejection> rejections) {
    }

    public record PreviewRequest(@NotBlank String customerId, Map<String, Object> variables) {
    }
}
