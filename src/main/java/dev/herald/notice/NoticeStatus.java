package dev.herald.notice;

public enum NoticeStatus {
    DRAFT,
    DISPATCHING,
    PAUSED,
    COMPLETED,
    CANCELLED;

    /** Whether the notice has ended: nothing more will be sent for it. */
    public boolean isFinished() {
        return this == COMPLETED || this == CANCELLED;
    }
}
