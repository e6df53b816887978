package dev.herald.notice;

public enum NoticeStatus {
    DRAFT,
    DISPATCHING,
    PAUSED,
    COMPLETED,
    CANCELLED
}
