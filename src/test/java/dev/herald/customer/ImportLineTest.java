package dev.herald.customer;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.herald.support.Fixtures;
import dev.herald.support.HeraldTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;

/**
 * Every class of bad import line is refused by its number while every good line of the same import is
 * kept: NDJSON lines that are null, a number, a list, two values, invalid UTF-8, a NUL, an overflowing
 * number, an attribute that is no single value, a key given twice or a line over the limit; CSV cells
 * with a raw NUL or invalid UTF-8 and an unterminated quote; the same for affected-account lists.
 */
@HeraldTest
class ImportLineTest {

    private static final byte[] INVALID_UTF8 = { (byte) 0xC3, (byte) 0x28 };

    @Test
    void anImportOf100000LinesWith1000BadOnesKeepsExactlyThe99000GoodOnes() {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        List<Integer> bad = new ArrayList<>();
        for (int i = 1; i <= 100_000; i++) {
            if (i % 100 == 37) {
                bad.add(i);
                body.writeBytes(badLine(i, (i / 100) % 11));
            } else {
                body.writeBytes(("{\"id\":\"big-" + i + "\",\"email\":\"big-" + i + "@big.example\",\"tags\":[\"big\"],"
                        + "\"attributes\":{\"n\":" + i + "}}").getBytes(StandardCharsets.UTF_8));
            }
            body.write('\n');
        }
        JsonPath report = given().contentType("application/x-ndjson").body(body.toByteArray())
                .post("/v1/customers/import").then().statusCode(200).extract().jsonPath();

        assertThat(report.getLong("received")).isEqualTo(100_000);
        assertThat(report.getLong("inserted")).isEqualTo(99_000);
        assertThat(report.getLong("rejected")).isEqualTo(1_000);
        assertThat(report.getList("rejections.line", Integer.class)).isEqualTo(bad);
        assertThat(report.getList("rejections.reason", String.class)).allMatch(r -> !r.isBlank() && !r.contains("java."));
        given().contentType(ContentType.JSON).body(Map.of("criteria", Map.of("tag", "big")))
                .post("/v1/segments/count").then().statusCode(200)
                .body("count", org.hamcrest.Matchers.equalTo(99_000));
        assertThat(report.getString("rejections.find { it.line == 37 }.reason")).isEqualTo("is null; each line must be one JSON object");
    }

    /** One of eleven kinds of bad line. */
    private static byte[] badLine(int i, int kind) {
        String id = "\"id\":\"big-" + i + "\"";
        return switch (kind) {
            case 0 -> utf8("null");
            case 1 -> utf8("42");
            case 2 -> utf8("[{" + id + "}]");
            case 3 -> concat(utf8("{" + id + ",\"displayName\":\""), INVALID_UTF8, utf8("\"}"));
            case 4 -> utf8("{" + id + ",\"displayName\":\"a\\u0000b\"}");
            case 5 -> utf8("{" + id + ",\"attributes\":{\"n\":1e999999}}");
            case 6 -> utf8("{" + id + ",\"attributes\":{\"plan\":{\"tier\":1}}}");
            case 7 -> utf8("{" + id + "} {" + id + "}");
            case 8 -> utf8("{" + id + "," + id + "}");
            case 9 -> utf8("{" + id + ",\"displayName\":\"" + "x".repeat(1_100_000) + "\"}");
            default -> utf8("{" + id + ",");
        };
    }

    @Test
    void csvCellsWithNulOrInvalidUtf8AreRefusedAndAnUnterminatedQuoteEndsTheImport() {
        byte[] csv = concat(utf8("id,email,attributes.plan\n"
                + "csvl-1,csvl-1@example.com,plus\n"
                + "csvl-2,csvl-2@example.com,pl"), new byte[] { 0 }, utf8("us\n"
                + "csvl-3,csvl-3@example.com,pro\n"
                + "csvl-4,csvl-4@example.com,"), INVALID_UTF8, utf8("\n"
                + "csvl-5,csvl-5@example.com,free\n"
                + "csvl-6,\"csvl-6@example.com,free\n"
                + "csvl-7,csvl-7@example.com,free\n"));
        JsonPath report = given().contentType("text/csv").body(csv).post("/v1/customers/import")
                .then().statusCode(200).extract().jsonPath();
        assertThat(report.getList("rejections.line", Integer.class)).containsExactly(3, 5, 7);
        assertThat(report.getString("rejections[0].reason")).contains("NUL");
        assertThat(report.getString("rejections[1].reason")).contains("UTF-8");
        assertThat(report.getString("rejections[2].reason")).contains("quote");
        assertThat(report.getLong("inserted")).isEqualTo(3);
        for (String kept : List.of("csvl-1", "csvl-3", "csvl-5")) {
            given().get("/v1/customers/{id}", kept).then().statusCode(200);
        }
        for (String refused : List.of("csvl-2", "csvl-4", "csvl-6", "csvl-7")) {
            given().get("/v1/customers/{id}", refused).then().statusCode(404);
        }
    }

    @Test
    void anAffectedAccountListRefusesBadLinesByNumberAndKeepsTheRest() {
        Fixtures.importCustomers("affected-lines", 3);
        Map<String, Object> notice = new java.util.HashMap<>(Fixtures.notice("affected-lines",
                Map.of("affectedAccounts", true)));
        notice.put("variables", List.of("card"));
        long id = Fixtures.createNotice(notice);
        byte[] body = concat(
                utf8("{\"customerId\":\"affected-lines-0\",\"variables\":{\"card\":\"1234\"}}\n"),
                utf8("{\"customerId\":\"affected-lines-1\",\"variables\":{\"card\":\""), INVALID_UTF8, utf8("\"}}\n"),
                utf8("null\n"),
                utf8("{\"customerId\":\"affected-lines-2\",\"variables\":{\"card\":\"12\\u00004\"}}\n"),
                utf8("[\"affected-lines-2\"]\n"),
                utf8("{\"customerId\":\"affected-lines-2\",\"variables\":{\"card\":\"9876\"}}\n"));
        given().contentType("application/x-ndjson").body(body).post("/v1/notices/{id}/affected", id)
                .then().statusCode(200)
                .body("received", org.hamcrest.Matchers.equalTo(6))
                .body("accepted", org.hamcrest.Matchers.equalTo(2))
                .body("rejections.line", org.hamcrest.Matchers.equalTo(List.of(2, 3, 4, 5)));
    }

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] part : parts) {
            out.writeBytes(part);
        }
        return out.toByteArray();
    }
}
