package dev.herald.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Map;

import org.jose4j.jwk.RsaJsonWebKey;
import org.jose4j.jwk.RsaJwkGenerator;
import org.jose4j.jws.AlgorithmIdentifiers;
import org.jose4j.jws.JsonWebSignature;
import org.jose4j.jwt.JwtClaims;
import org.jose4j.lang.JoseException;

/**
 * The bench's callers: a key pair made for the run (its public half handed to Herald), and bearer
 * tokens signed with it as Herald's configuration expects (issuer, audience, roles in groups).
 */
final class BenchTokens {

    private final RsaJsonWebKey key;
    private final Path publicKey;

    BenchTokens(Path directory) throws JoseException, IOException {
        key = RsaJwkGenerator.generateJwk(2048);
        publicKey = directory.resolve("bench-jwt-public.pem");
        Files.createDirectories(directory);
        Files.writeString(publicKey, "-----BEGIN PUBLIC KEY-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(key.getPublicKey().getEncoded())
                + "\n-----END PUBLIC KEY-----\n");
    }

    /** Herald's configuration for these tokens. */
    Map<String, String> environment() {
        return Map.of("HERALD_JWT_PUBLIC_KEY", "file:" + publicKey.toAbsolutePath());
    }

    /** A token for {@code subject} with {@code roles}, valid for a day. */
    String mint(String subject, String... roles) {
        JwtClaims claims = new JwtClaims();
        claims.setIssuer("https://herald.example");
        claims.setAudience("herald");
        claims.setSubject(subject);
        claims.setStringListClaim("groups", List.of(roles));
        claims.setIssuedAtToNow();
        claims.setExpirationTimeMinutesInTheFuture(24 * 60);
        JsonWebSignature jws = new JsonWebSignature();
        jws.setPayload(claims.toJson());
        jws.setKey(key.getPrivateKey());
        jws.setAlgorithmHeaderValue(AlgorithmIdentifiers.RSA_USING_SHA256);
        try {
            return jws.getCompactSerialization();
        } catch (JoseException e) {
            throw new IllegalStateException("Cannot sign a bench token", e);
        }
    }
}
