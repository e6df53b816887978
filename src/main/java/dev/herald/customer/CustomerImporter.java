package dev.herald.customer;

import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;

import jakarta.enterprise.context.ApplicationScoped;
import java.lang.annotation.ElementType;

import jakarta.validation.ConstraintViolation;
import jakarta.validation.Path;
import jakarta.validation.TraversableResolver;
import jakarta.validation.Validator;
import jakarta.validation.ValidatorFactory;

import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.csv.CsvMapper;
import com.fasterxml.jackson.dataformat.csv.CsvParser;

import dev.herald.ops.DistinctBatch;
import dev.herald.ops.InputLimits;
import dev.herald.ops.NdjsonLines;
import dev.herald.ops.InvalidInputException;
import dev.herald.ops.JsonErrors;
import dev.herald.ops.Rejections;

/**
 * Streams an NDJSON or CSV upload into the customer table in batches. Each line is validated on its
 * own; a bad line is reported with its number and the good ones are kept. Memory is bounded by one
 * batch plus the first rejections, whatever the size of the upload.
 */
@ApplicationScoped
public class CustomerImporter {

    /** Customers per COPY and merge: large enough that a statement's overhead is shared by many rows. */
    static final int BATCH = 5000;
    static final List<String> CSV_COLUMNS = List.of("id", "email", "displayName", "locale", "country", "region",
            "tags", "device.platform", "device.token", "device.appId", "device.sandbox");
    static final String CSV_ATTRIBUTE_PREFIX = "attributes.";

    private final CustomerStore store;
    private final Validator validator;
    private final ObjectMapper json;
    private final InputLimits limits;
    private final CsvMapper csv = new CsvMapper();

    CustomerImporter(CustomerStore store, ValidatorFactory validators, ObjectMapper json, InputLimits limits) {
        this.store = store;
        this.limits = limits;
        // Every property of an input record is reachable: without this, Hibernate Validator asks JPA
        // whether each one is loaded, which cost more than the constraints themselves.
        this.validator = validators.usingContext().traversableResolver(new AlwaysReachable()).getValidator();
        this.json = json;
    }

    private static final class AlwaysReachable implements TraversableResolver {
        @Override
        public boolean isReachable(Object bean, Path.Node property, Class<?> rootType, Path path, ElementType type) {
            return true;
        }

        @Override
        public boolean isCascadable(Object bean, Path.Node property, Class<?> rootType, Path path, ElementType type) {
            return true;
        }
    }

    public ImportReport importNdjson(InputStream body) {
        Run run = new Run();
        NdjsonLines.read(body, json, CustomerInput.class, limits.importLine(), new NdjsonLines.Handler<>() {
            @Override
            public void parsed(long line, CustomerInput value) {
                run.accept(line, value);
            }

            @Override
            public void refused(long line, String reason) {
                run.refuse(line, reason);
            }
        });
        return run.finish();
    }

    /**
     * CSV with a header line. Columns: id, email, displayName, locale, country, region, tags (separated
     * by ';'), any number of attributes.NAME columns, and one push device per line (device.platform,
     * device.token, device.appId, device.sandbox). Line numbers count the header as line 1.
     */
    public ImportReport importCsv(InputStream body) {
        Run run = new Run();
        try (MappingIterator<String[]> records = csv.readerFor(String[].class)
                .with(CsvParser.Feature.WRAP_AS_ARRAY)
                .readValues(new InputStreamReader(body, StandardCharsets.UTF_8))) {
            if (!records.hasNext()) {
                throw InvalidInputException.of("body", "the CSV upload is empty; it must start with a header line");
            }
            String[] header = records.next();
            checkHeader(header);
            int sandbox = Arrays.asList(header).indexOf("device.sandbox");
            long line = 1;
            while (true) {
                line++;
                String[] cells;
                try {
                    if (!records.hasNext()) {
                        break;
                    }
                    cells = records.next();
                } catch (RuntimeException unreadable) {
                    // An unterminated quote swallows the rest of the upload: nothing after it can be read as lines.
                    run.refuse(line, "cannot be read as CSV (" + JsonErrors.describe(unreadable)
                            + "); the lines after it were not read");
                    break;
                }
                if (cells.length == 1 && cells[0].isBlank()) {
                    continue;
                }
                if (cells.length != header.length) {
                    run.refuse(line, "has " + cells.length + " columns; the header has " + header.length);
                    continue;
                }
                String unfit = unfitCell(header, cells);
                if (unfit != null) {
                    run.refuse(line, unfit);
                    continue;
                }
                if (sandbox >= 0 && !cells[sandbox].isEmpty() && !cells[sandbox].equalsIgnoreCase("true")
                        && !cells[sandbox].equalsIgnoreCase("false")) {
                    run.refuse(line, "device.sandbox: must be true or false");
                    continue;
                }
                run.accept(line, fromCells(header, cells));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("The CSV upload could not be read to its end", e);
        }
        return run.finish();
    }

    /**
     * A cell no customer can hold, or null: bytes that were not UTF-8 (decoded as U+FFFD), or a NUL
     * character, which PostgreSQL cannot store.
     */
    private static String unfitCell(String[] header, String[] cells) {
        for (int i = 0; i < cells.length; i++) {
            if (cells[i].indexOf('\uFFFD') >= 0) {
                return header[i] + ": is not valid UTF-8";
            }
            if (cells[i].indexOf('\0') >= 0) {
                return header[i] + ": must not contain a NUL character";
            }
        }
        return null;
    }

    private static void checkHeader(String[] header) {
        Set<String> seen = new HashSet<>();
        for (String column : header) {
            if (!seen.add(column)) {
                throw InvalidInputException.of("header", "column '" + column + "' appears twice");
            }
        }
        List<String> unknown = Arrays.stream(header)
                .filter(h -> !CSV_COLUMNS.contains(h) && !h.startsWith(CSV_ATTRIBUTE_PREFIX))
                .toList();
        if (!unknown.isEmpty()) {
            throw InvalidInputException.of("header", "unknown columns " + unknown + "; known: " + CSV_COLUMNS
                    + " and attributes.NAME");
        }
        if (!Arrays.asList(header).contains("id")) {
            throw InvalidInputException.of("header", "the id column is required");
        }
    }

    private static CustomerInput fromCells(String[] header, String[] cells) {
        Map<String, String> values = new LinkedHashMap<>();
        Map<String, Object> attributes = new LinkedHashMap<>();
        for (int i = 0; i < header.length; i++) {
            String cell = cells[i].isEmpty() ? null : cells[i];
            if (header[i].startsWith(CSV_ATTRIBUTE_PREFIX)) {
                if (cell != null) {
                    attributes.put(header[i].substring(CSV_ATTRIBUTE_PREFIX.length()), cell);
                }
            } else {
                values.put(header[i], cell);
            }
        }
        String tags = values.get("tags");
        List<DeviceInput> devices = values.get("device.token") == null ? null : List.of(new DeviceInput(
                platformOf(values.get("device.platform")), values.get("device.token"), values.get("device.appId"),
                Boolean.parseBoolean(values.get("device.sandbox"))));
        return new CustomerInput(values.get("id"), values.get("email"), values.get("displayName"),
                values.get("locale"), values.get("country"), values.get("region"),
                tags == null ? List.of() : Arrays.stream(tags.split(";")).map(String::trim).toList(), attributes,
                devices);
    }

    /** A platform cell; an unknown one is left null, which validation refuses with the field's name. */
    private static DevicePlatform platformOf(String cell) {
        for (DevicePlatform platform : DevicePlatform.values()) {
            if (platform.name().equalsIgnoreCase(cell)) {
                return platform;
            }
        }
        return null;
    }

    /**
     * One import in progress: the current batch and the running totals. A batch is written on the
     * writer thread while the next one is parsed and validated here; at most two are in flight, so
     * memory stays bounded and a database failure stops the import at the next batch.
     */
    private final class Run {
        private final ExecutorService writer = Executors.newSingleThreadExecutor(r -> new Thread(r, "customer-import-writer"));
        private final Semaphore inFlight = new Semaphore(2);
        private final List<Future<CustomerStore.Written>> writes = new ArrayList<>();
        private final DistinctBatch<CustomerInput> batch = new DistinctBatch<>(BATCH, CustomerInput::id, this::write);
        private final Rejections rejections = new Rejections();
        private CustomerStore.Written written = new CustomerStore.Written(0, 0, 0);
        private long received;

        void accept(long line, CustomerInput input) {
            received++;
            if (input.id() == null || input.id().isBlank()) {
                rejections.add(line, "id: must not be blank");
                return;
            }
            Set<ConstraintViolation<CustomerInput>> violations = validator.validate(input);
            if (!violations.isEmpty()) {
                rejections.add(line, Rejections.describe(violations));
                return;
            }
            String devices = input.deviceProblem();
            if (devices != null) {
                rejections.add(line, devices);
                return;
            }
            batch.add(input);
        }

        void refuse(long line, String reason) {
            received++;
            rejections.add(line, reason);
        }

        private void write(List<CustomerInput> rows) {
            inFlight.acquireUninterruptibly();
            writes.add(writer.submit(() -> {
                try {
                    return store.upsert(rows);
                } finally {
                    inFlight.release();
                }
            }));
            writes.removeIf(w -> w.isDone() && settled(w));
        }

        ImportReport finish() {
            try {
                batch.flush();
                writes.forEach(this::settled);
                return new ImportReport(received, written.inserted(), written.updated(), written.unchanged(),
                        rejections.count(), rejections.kept());
            } finally {
                writer.shutdownNow();
            }
        }

        /** Adds a finished write to the totals, or rethrows its failure. */
        private boolean settled(Future<CustomerStore.Written> write) {
            try {
                written = written.plus(write.get());
                return true;
            } catch (ExecutionException e) {
                throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("Interrupted while importing", e);
            }
        }
    }
}
