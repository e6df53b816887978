package dev.herald.ops;

import java.util.logging.Filter;
import java.util.logging.LogRecord;
import java.util.regex.Pattern;

import org.jboss.logmanager.ExtLogRecord;

import io.quarkus.logging.LoggingFilter;

/**
 * The last guard keeping personal data out of logs: Herald's own messages name notices, deliveries
 * and customer ids, never addresses or names, but text from outside (an SMTP reply quoting the
 * recipient, a provider's error) can carry an email address. Every record is formatted here and
 * any address in it masked before a handler writes it.
 */
@LoggingFilter(name = "personal-data")
public final class PersonalDataFilter implements Filter {

    /** An email address, in a syntax Java's and PostgreSQL's regular expressions read alike. */
    public static final String EMAIL_ADDRESS = "[\\w.%+-]+@([\\w-]+\\.)+[\\w-]{2,}";
    /** What {@link #mask} puts in an address's place. */
    public static final String MASKED = "<email address>";
    private static final Pattern EMAIL = Pattern.compile(EMAIL_ADDRESS);

    @Override
    public boolean isLoggable(LogRecord record) {
        if (record instanceof ExtLogRecord ext) {
            String message = ext.getFormattedMessage();
            if (message != null && EMAIL.matcher(message).find()) {
                ext.setMessage(mask(message), ExtLogRecord.FormatStyle.NO_FORMAT);
                ext.setParameters(null);
            }
        }
        return true;
    }

    /** The text with every email address in it replaced by "<email address>". */
    public static String mask(String text) {
        return EMAIL.matcher(text).replaceAll(MASKED);
    }
}
