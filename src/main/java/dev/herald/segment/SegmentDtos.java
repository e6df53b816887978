package dev.herald.segment;

import java.time.OffsetDateTime;

import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;

import com.fasterxml.jackson.databind.JsonNode;

/** The segment API's request and response bodies. */
public final class SegmentDtos {

    private SegmentDtos() {
    }

    public record SegmentRequest(@NotBlank @Size(max = 200) String name, @NotNull JsonNode criteria) {
    }

    public record CountRequest(@NotNull JsonNode criteria) {
    }

    public record SegmentView(Long id, String name, JsonNode criteria, long count, OffsetDateTime createdAt) {
    }

    public record AudienceCount(long count) {
    }
}
