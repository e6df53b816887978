package dev.herald.notice;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonUnwrapped;

import dev.herald.delivery.Progress;
import dev.herald.evidence.DeadlineClock;
import dev.herald.evidence.SubstituteNotice;

/**
 * A notice's progress: its status, its deliveries counted, its clock against the laws' deadlines, and, once it is
 * finished, the customers no channel reached per law with the substitute-notice conditions met.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record NoticeProgress(NoticeStatus status, @JsonUnwrapped Progress counts, DeadlineClock.Clock clock,
        SubstituteNotice.Summary substituteNotice) {
}
