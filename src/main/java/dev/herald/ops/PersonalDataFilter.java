package dev.herald.ops;

import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Set;
import java.util.logging.Filter;
import java.util.logging.LogRecord;
import java.util.regex.Pattern;

import org.jboss.logmanager.ExtLogRecord;

import io.quarkus.logging.LoggingFilter;

/**
 * The last guard keeping personal data out of logs: Herald's own messages name notices, deliveries
 * and customer ids, never addresses or names, but text from outside (an SMTP reply quoting the
 * recipient, a provider's error, an exception's message such as Jakarta Mail's AddressException) can
 * carry an email address. Every record is formatted here, its exceptions too, and any address in them
 * masked before a handler writes it.
 */
@LoggingFilter(name = "personal-data")
public final class PersonalDataFilter implements Filter {

    /**
     * An email address, in a syntax Java's and PostgreSQL's regular expressions read alike: a quoted
     * local part or any run of characters an address may hold (RFC 5322's apostrophes and the like,
     * and the letters of internationalised addresses, RFC 6531), then a dotted domain in any script.
     * Every part is bounded (RFC 5321's lengths): a long run of text without an address, a token or a
     * URL, costs a scan proportional to its length, not to its square.
     */
    public static final String EMAIL_ADDRESS = "(\"[^\"\\r\\n]{0,64}\"|[^\\s@<>()\\[\\],;:\"]{1,64})@"
            + "([^\\s@<>()\\[\\],;:\".]{1,63}\\.){1,16}[^\\s@<>()\\[\\],;:\".]{2,63}";
    /** What {@link #mask} puts in an address's place. */
    public static final String MASKED = "<email address>";
    /** How Jakarta Mail quotes the text it could not parse as an address (AddressException.toString). */
    private static final String UNPARSED = "``.{0,320}?''";
    private static final Pattern PERSONAL = Pattern.compile(UNPARSED + "|" + EMAIL_ADDRESS);

    @Override
    public boolean isLoggable(LogRecord record) {
        if (record instanceof ExtLogRecord ext) {
            String message = ext.getFormattedMessage();
            if (message != null && PERSONAL.matcher(message).find()) {
                ext.setMessage(mask(message), ExtLogRecord.FormatStyle.NO_FORMAT);
                ext.setParameters(null);
            }
        }
        if (record.getThrown() != null && carriesAddress(record.getThrown(), identitySet())) {
            record.setThrown(new MaskedThrowable(record.getThrown(), identitySet()));
        }
        return true;
    }

    /** The text with every email address in it, parsed or not, replaced by "<email address>". */
    public static String mask(String text) {
        return PERSONAL.matcher(text).replaceAll(m -> m.group().startsWith("``") ? "``" + MASKED + "''" : MASKED);
    }

    private static boolean carriesAddress(Throwable t, Set<Throwable> seen) {
        if (t == null || !seen.add(t)) {
            return false;
        }
        if (PERSONAL.matcher(t.toString()).find()) {
            return true;
        }
        for (Throwable suppressed : t.getSuppressed()) {
            if (carriesAddress(suppressed, seen)) {
                return true;
            }
        }
        return carriesAddress(t.getCause(), seen);
    }

    private static Set<Throwable> identitySet() {
        return Collections.newSetFromMap(new IdentityHashMap<>());
    }

    /** An exception as the original prints (its class, message, frames, causes), its addresses masked. */
    private static final class MaskedThrowable extends Throwable {
        private final String text;

        MaskedThrowable(Throwable original, Set<Throwable> seen) {
            super(original.getMessage() == null ? null : mask(original.getMessage()));
            seen.add(original);
            this.text = mask(original.toString());
            setStackTrace(original.getStackTrace());
            for (Throwable suppressed : original.getSuppressed()) {
                if (!seen.contains(suppressed)) {
                    addSuppressed(new MaskedThrowable(suppressed, seen));
                }
            }
            Throwable cause = original.getCause();
            if (cause != null && !seen.contains(cause)) {
                initCause(new MaskedThrowable(cause, seen));
            }
        }

        @Override
        public String toString() {
            return text;
        }
    }
}
