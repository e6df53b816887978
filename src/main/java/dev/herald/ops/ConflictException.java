package dev.herald.ops;

/** The request cannot be done in the current state of what it names (a COMPLETED notice cannot be paused). */
public class ConflictException extends RuntimeException {

    public ConflictException(String detail) {
        super(detail);
    }
}
