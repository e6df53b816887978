package dev.herald.support;

import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import io.restassured.RestAssured;
import io.restassured.builder.RequestSpecBuilder;

/**
 * Every request a test makes carries an admin's token unless it sets its own Authorization header:
 * tests of behaviour are not about roles; the role matrix test is.
 */
public class DefaultToken implements BeforeEachCallback {

    private static String admin;

    @Override
    public void beforeEach(ExtensionContext context) {
        RestAssured.requestSpecification = new RequestSpecBuilder().addFilter((request, response, ctx) -> {
            if (!request.getHeaders().hasHeaderWithName("Authorization")) {
                request.header("Authorization", "Bearer " + admin());
            }
            return ctx.next(request, response);
        }).build();
    }

    private static synchronized String admin() {
        if (admin == null) {
            admin = Tokens.of("test-admin", "admin");
        }
        return admin;
    }
}
