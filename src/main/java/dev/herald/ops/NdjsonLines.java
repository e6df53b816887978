package dev.herald.ops;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;

/** Reads newline-delimited JSON one line at a time, so an upload of any size is streamed. */
public final class NdjsonLines {

    /** Receives each non-blank line, parsed or refused, with its 1-based line number. */
    public interface Handler<T> {
        void parsed(long line, T value);

        void refused(long line, String reason);
    }

    private NdjsonLines() {
    }

    public static <T> void read(InputStream body, ObjectMapper json, Class<T> type, Handler<T> handler) {
        ObjectReader reader = json.readerFor(type);
        try (BufferedReader lines = new BufferedReader(new InputStreamReader(body, StandardCharsets.UTF_8), 1 << 16)) {
            long number = 0;
            for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                number++;
                if (line.isBlank()) {
                    continue;
                }
                T value;
                try {
                    value = reader.readValue(line);
                } catch (UnrecognizedPropertyException e) {
                    handler.refused(number, "unknown field '" + e.getPropertyName() + "'");
                    continue;
                } catch (JsonProcessingException e) {
                    handler.refused(number, "not valid JSON: " + e.getOriginalMessage());
                    continue;
                }
                handler.parsed(number, value);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("The upload could not be read to its end", e);
        }
    }
}
