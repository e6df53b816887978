package dev.herald.ops;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;

/**
 * Reads newline-delimited JSON one line at a time, so an upload of any size is streamed. A line is
 * refused, by number, when it is longer than the limit, not UTF-8, not a JSON object, or not what the
 * type accepts; the lines around it are read as usual.
 */
public final class NdjsonLines {

    /** Receives each non-blank line, parsed or refused, with its 1-based line number. */
    public interface Handler<T> {
        void parsed(long line, T value);

        void refused(long line, String reason);
    }

    private NdjsonLines() {
    }

    public static <T> void read(InputStream body, ObjectMapper json, Class<T> type, int maxLineBytes, Handler<T> handler) {
        ObjectReader reader = json.readerFor(type);
        CharsetDecoder utf8 = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        LineReader lines = new LineReader(body, maxLineBytes);
        try {
            long number = 0;
            for (byte[] line = lines.next(); line != null; line = lines.next()) {
                number++;
                if (lines.tooLong()) {
                    handler.refused(number, "is longer than " + maxLineBytes + " bytes");
                    continue;
                }
                String text;
                try {
                    text = utf8.decode(ByteBuffer.wrap(line)).toString();
                } catch (CharacterCodingException e) {
                    handler.refused(number, "is not valid UTF-8");
                    continue;
                }
                if (text.isBlank()) {
                    continue;
                }
                String problem = parse(reader, json, text, number, handler);
                if (problem != null) {
                    handler.refused(number, problem);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("The upload could not be read to its end", e);
        }
    }

    /** Parses one line and hands it on; answers why it is refused, or null. */
    private static <T> String parse(ObjectReader reader, ObjectMapper json, String text, long number,
            Handler<T> handler) {
        try (JsonParser parser = json.createParser(text)) {
            JsonToken first = parser.nextToken();
            if (first != JsonToken.START_OBJECT) {
                return "is " + kindOf(first) + "; each line must be one JSON object";
            }
            T value = reader.readValue(parser);
            if (parser.nextToken() != null) {
                return "has more than one JSON value";
            }
            handler.parsed(number, value);
            return null;
        } catch (UnrecognizedPropertyException e) {
            return JsonErrors.describe(e);
        } catch (JsonProcessingException e) {
            String field = JsonErrors.field(e);
            return field.equals("body") ? "not valid JSON: " + JsonErrors.describe(e) : field + ": " + JsonErrors.describe(e);
        } catch (IOException e) {
            return "not valid JSON: " + e.getMessage();
        }
    }

    /** Splits a byte stream on '\n', keeping no more than the limit of any line. */
    private static final class LineReader {
        private final InputStream in;
        private final int max;
        private final byte[] buffer = new byte[1 << 16];
        private int position;
        private int length;
        private boolean tooLong;

        LineReader(InputStream in, int max) {
            this.in = in;
            this.max = max;
        }

        /** The next line without its end ('\n', and '\r' before it), or null at the end of the stream. */
        byte[] next() throws IOException {
            ByteArrayOutputStream line = new ByteArrayOutputStream(256);
            tooLong = false;
            boolean any = false;
            while (true) {
                if (position == length) {
                    length = in.read(buffer);
                    position = 0;
                    if (length <= 0) {
                        length = 0;
                        return any ? strip(line.toByteArray()) : null;
                    }
                }
                any = true;
                int start = position;
                while (position < length && buffer[position] != '\n') {
                    position++;
                }
                int count = position - start;
                if (line.size() + count > max) {
                    tooLong = true;
                } else {
                    line.write(buffer, start, count);
                }
                if (position < length) {
                    position++;
                    return strip(line.toByteArray());
                }
            }
        }

        boolean tooLong() {
            return tooLong;
        }

        private static byte[] strip(byte[] line) {
            return line.length > 0 && line[line.length - 1] == '\r' ? Arrays.copyOf(line, line.length - 1) : line;
        }
    }

    private static String kindOf(JsonToken token) {
        return switch (token) {
            case VALUE_NULL -> "null";
            case START_ARRAY -> "a list";
            case VALUE_STRING -> "a string";
            case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> "a number";
            case VALUE_TRUE, VALUE_FALSE -> "true or false";
            default -> "not a JSON object";
        };
    }
}
