package dev.herald.support;

import java.util.Set;

import io.smallrye.jwt.build.Jwt;

/** Bearer tokens as the company's identity provider would issue them, signed with the test key (src/test/resources/jwt). */
public final class Tokens {

    public static final String ISSUER = "https://herald.example";
    public static final String AUDIENCE = "herald";

    private Tokens() {
    }

    /** A token for {@code user} with the given roles, valid for an hour. */
    public static String of(String user, String... roles) {
        return Jwt.issuer(ISSUER).audience(AUDIENCE).upn(user).groups(Set.of(roles)).expiresIn(3600).sign();
    }
}
