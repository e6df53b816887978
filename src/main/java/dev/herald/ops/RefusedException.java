package dev.herald.ops;

/**
 * A request refused for a reason of its own kind: a reused Idempotency-Key, a signature that does
 * not verify, a sender Herald does not listen to. {@code reason} says which, for the caller.
 */
public class RefusedException extends RuntimeException {

    public enum Reason {
        /** The request is understood but cannot be carried out as it stands (422). */
        UNPROCESSABLE,
        /** The caller could not be authenticated (401). */
        UNAUTHENTICATED,
        /** The caller is known but may not do this (403). */
        FORBIDDEN
    }

    private final Reason reason;
    private final String title;

    public RefusedException(Reason reason, String title, String detail) {
        super(detail);
        this.reason = reason;
        this.title = title;
    }

    public Reason reason() {
        return reason;
    }

    public String title() {
        return title;
    }
}
