package dev.herald.bench;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;

/**
 * Streams N synthetic customers without holding them: each line is made when the reader asks for it.
 * Fields and locales follow a plausible global customer base; the seed makes runs repeatable, so the
 * NDJSON Herald imports and the COPY rows of the import floor hold the same customers.
 */
final class CustomerGenerator extends InputStream {

    enum Format {
        /** One JSON object per line, as POST /v1/customers/import takes it. */
        NDJSON,
        /** PostgreSQL COPY text rows of the customer table's columns (id ... attributes). */
        COPY,
        /** PostgreSQL COPY text rows of the device table's columns (customer_id, platform, app_id, token, sandbox). */
        DEVICE_COPY
    }

    /** The app of the benchmark's devices, and the tag of the customers that have one. */
    static final String APP = "com.example.bench";
    static final String PUSH_TAG = "pushbench";

    private static final String[] LOCALES = { "en", "en", "en", "en-GB", "fr", "fr-CA", "de", "es", "pt-BR", "ja",
            "it", "nl" };
    private static final String[] COUNTRIES = { "US", "US", "US", "GB", "FR", "CA", "DE", "ES", "BR", "JP", "IT", "NL" };
    private static final String[] FIRST = { "Ana", "Ben", "Chloé", "Dmitri", "Emeka", "Fatima", "Giulia", "Hiro",
            "Ingrid", "João", "Kwame", "Léa", "Mateo", "Noor", "Olga", "Priya" };
    private static final String[] LAST = { "Smith", "García", "Müller", "Dubois", "Rossi", "Tanaka", "Silva",
            "Kowalski", "Okafor", "Nguyen", "Johansson", "O'Brien" };
    private static final String[] PLANS = { "free", "free", "free", "plus", "plus", "premium" };

    private final long count;
    private final long withDevice;
    private final Format format;
    private final SplittableRandom random = new SplittableRandom(77_000_000L);
    private long next;
    private byte[] line = new byte[0];
    private int position;

    /** @param withDevice how many of the customers, the first ones, have an FCM device and the push tag */
    CustomerGenerator(long count, long withDevice, Format format) {
        this.count = format == Format.DEVICE_COPY ? withDevice : count;
        this.withDevice = withDevice;
        this.format = format;
    }

    static String id(long i) {
        return String.format("cust-%09d", i);
    }

    @Override
    public int read() {
        if (!fill()) {
            return -1;
        }
        return line[position++] & 0xff;
    }

    /** Fills the whole buffer: a read of one line each would make each line an HTTP chunk of its own. */
    @Override
    public int read(byte[] buffer, int offset, int length) {
        int copied = 0;
        while (copied < length && fill()) {
            int n = Math.min(length - copied, line.length - position);
            System.arraycopy(line, position, buffer, offset + copied, n);
            position += n;
            copied += n;
        }
        return copied == 0 ? -1 : copied;
    }

    private boolean fill() {
        if (position < line.length) {
            return true;
        }
        if (next == count) {
            return false;
        }
        int l = random.nextInt(LOCALES.length);
        String first = FIRST[random.nextInt(FIRST.length)];
        String last = LAST[random.nextInt(LAST.length)];
        String id = id(next);
        boolean store = random.nextInt(4) == 0;
        String attributes = "{\"plan\":\"" + PLANS[random.nextInt(PLANS.length)] + "\",\"since\":\""
                + (2006 + random.nextInt(20)) + "\"}";
        boolean device = next < withDevice;
        String token = "bench-" + id;
        String text = switch (format) {
            case NDJSON -> "{\"id\":\"" + id + "\",\"email\":\"" + id + "@customers.example\",\"displayName\":\""
                    + first + " " + last.replace("'", "\\u0027") + "\",\"locale\":\"" + LOCALES[l] + "\",\"country\":\""
                    + COUNTRIES[l] + "\",\"tags\":[\"psn\"" + (store ? ",\"store\"" : "")
                    + (device ? ",\"" + PUSH_TAG + "\"" : "") + "],\"attributes\":" + attributes
                    + (device ? ",\"devices\":[{\"platform\":\"FCM\",\"token\":\"" + token + "\",\"appId\":\"" + APP
                            + "\"}]" : "") + "}\n";
            case COPY -> String.join("\t", id, id + "@customers.example", first + " " + last, LOCALES[l], COUNTRIES[l],
                    "\\N", "{psn" + (store ? ",store" : "") + (device ? "," + PUSH_TAG : "") + "}", attributes) + "\n";
            case DEVICE_COPY -> String.join("\t", id, "FCM", APP, token, "f") + "\n";
        };
        line = text.getBytes(StandardCharsets.UTF_8);
        position = 0;
        next++;
        return true;
    }
}
