package dev.herald.notice;

/** Fired once a notice is DISPATCHING, so that planning starts at once rather than at the next tick. */
public record NoticeDispatched(long noticeId) {
}
