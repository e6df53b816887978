package dev.herald.cli;

/** What the command's exit status says, for a Job or a script. */
public final class ExitCode {

    /** The notice is COMPLETED (and failed deliveries stay within --max-failed-percent), or the command did its work. */
    public static final int OK = 0;
    /** The command line is wrong (picocli's own code). */
    public static final int USAGE = 2;
    /** Herald refused the request (a 4xx problem: invalid input, not found, conflict, no permission). */
    public static final int REFUSED = 3;
    /** The notice was cancelled. */
    public static final int CANCELLED = 4;
    /** The notice completed with more failed deliveries than --max-failed-percent allows. */
    public static final int TOO_MANY_FAILED = 5;
    /** Herald could not be reached, or answered 5xx, after the retries. */
    public static final int CONNECTION_LOST = 6;
    /** An evidence export did not verify. */
    public static final int EVIDENCE_INVALID = 7;

    private ExitCode() {
    }
}
