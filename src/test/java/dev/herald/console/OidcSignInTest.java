package dev.herald.console;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.List;

import org.junit.jupiter.api.Test;

import dev.herald.support.OidcStandIn;
import dev.herald.support.PushStandIns;
import dev.herald.support.SmtpServer;
import dev.herald.support.Tokens;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.RestAssured;
import io.restassured.response.Response;

/**
 * With the company's OpenID Connect provider configured, the console sends people to it to sign in
 * (authorization code flow), the local sign-in sits behind it, and the API still takes its bearer tokens.
 */
@QuarkusTest
@TestProfile(OidcSignInTest.CompanyProvider.class)
class OidcSignInTest {

    public static class CompanyProvider implements QuarkusTestProfile {
        @Override
        public List<TestResourceEntry> testResources() {
            return List.of(new TestResourceEntry(SmtpServer.class), new TestResourceEntry(PushStandIns.class),
                    new TestResourceEntry(OidcStandIn.class));
        }
    }

    @Test
    void theConsoleSendsPeopleToTheCompanysProvider() {
        for (String path : List.of("/console/customers", "/console/sign-in")) {
            Response answer = given().redirects().follow(false).get(path);
            assertThat(answer.statusCode()).as(path).isEqualTo(302);
            String location = URLDecoder.decode(answer.header("Location"), StandardCharsets.UTF_8);
            assertThat(location).as(path).contains(OidcStandIn.REALM + "/protocol/openid-connect/auth?")
                    .contains("response_type=code", "client_id=" + OidcStandIn.CLIENT,
                            "redirect_uri=http://localhost:" + RestAssured.port + "/console/oidc-callback");
        }
    }

    @Test
    void theApiStillTakesBearerTokens() {
        given().header("Authorization", "Bearer " + Tokens.of("sue", "support")).get("/v1/customers/nobody")
                .then().statusCode(404);
        given().get("/v1/customers/nobody").then().statusCode(401);
    }
}
