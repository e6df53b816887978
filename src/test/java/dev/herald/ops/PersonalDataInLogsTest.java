package dev.herald.ops;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import org.jboss.logmanager.ExtLogRecord;
import org.junit.jupiter.api.Test;

import dev.herald.support.Fixtures;
import dev.herald.support.HeraldTest;

/** No email address, name or device token of a customer in any log line at INFO or above. */
@HeraldTest
class PersonalDataInLogsTest {

    private static final List<String> PERSONAL = List.of("pii-logs-0@pii-logs.example", "Customer 0",
            "pii-logs-9@pii-logs.example", "Sensitive Sally", "sally@pii.example", "tok3nOfSally");

    @Test
    void importingDispatchingAndRefusingLeaveNoPersonalDataInTheLogs() {
        List<String> lines = new CopyOnWriteArrayList<>();
        Handler capture = new Handler() {
            @Override
            public void publish(LogRecord record) {
                if (record.getLevel().intValue() >= Level.INFO.intValue()) {
                    String message = record instanceof ExtLogRecord ext ? ext.getFormattedMessage() : record.getMessage();
                    StringBuilder text = new StringBuilder(String.valueOf(message));
                    for (Throwable t = record.getThrown(); t != null; t = t.getCause()) {
                        text.append(" | ").append(t);
                    }
                    lines.add(text.toString());
                }
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        Logger root = Logger.getLogger("");
        root.addHandler(capture);
        try {
            Fixtures.importCustomers("pii-logs", 10);
            given().contentType("application/x-ndjson").body(("{\"id\":\"pii-sally\",\"email\":\"sally@pii.example\","
                    + "\"displayName\":\"Sensitive Sally\",\"devices\":[{\"platform\":\"APNS\",\"appId\":\"a.b\","
                    + "\"token\":\"tok3nOfSally\"}]}\n").getBytes(StandardCharsets.UTF_8))
                    .post("/v1/customers/import").then().statusCode(200);
            long notice = Fixtures.dispatchToTag("pii-logs");
            Fixtures.awaitCompleted(notice, Duration.ofSeconds(30));
        } finally {
            root.removeHandler(capture);
        }
        assertThat(lines).isNotEmpty();
        for (String personal : PERSONAL) {
            assertThat(lines).as("a log line with " + personal).noneMatch(line -> line.contains(personal));
        }
    }

    @Test
    void anAddressQuotedByARelayIsMaskedBeforeAnyHandlerWritesIt() {
        assertThat(PersonalDataFilter.mask("550 5.1.1 <ann.lee+x@mail.example.co.uk>: Recipient address rejected"))
                .isEqualTo("550 5.1.1 <<email address>>: Recipient address rejected");
        assertThat(PersonalDataFilter.mask("to o'brien@example.ie, josé.núñez@correo.example.es, "
                + "\"jane doe\"@example.com and 用户@例子.广告."))
                .isEqualTo("to <email address>, <email address>, <email address> and <email address>.");
        assertThat(PersonalDataFilter.mask("notice 12, delivery 4611686018427387905, 10.0.0.1:5432"))
                .isEqualTo("notice 12, delivery 4611686018427387905, 10.0.0.1:5432");
    }

    @Test
    void anExceptionQuotingAnAddressIsLoggedWithItMasked() throws Exception {
        Exception quoting = new IllegalStateException("Delivery 7 cannot be composed again",
                new jakarta.mail.internet.AddressException("Local address contains control or whitespace",
                        "o'brien @example.ie"));
        quoting.addSuppressed(new RuntimeException("also josé@correo.example.es"));
        ExtLogRecord record = new ExtLogRecord(Level.SEVERE, "Composing failed", ExtLogRecord.FormatStyle.NO_FORMAT,
                PersonalDataInLogsTest.class.getName());
        record.setThrown(quoting);
        new PersonalDataFilter().isLoggable(record);
        String printed = new org.jboss.logmanager.formatters.PatternFormatter("%s%e").format(record);
        assertThat(printed).doesNotContain("brien", "josé").contains("jakarta.mail.internet.AddressException",
                "java.lang.IllegalStateException: Delivery 7 cannot be composed again", "Suppressed:", "Caused by:",
                "PersonalDataInLogsTest.java");
    }
}
