package dev.herald.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
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
 * The bench's keys, made for each run: an RSA pair whose public half Herald trusts for the bearer
 * tokens signed here (issuer, audience, roles in groups as Herald's configuration expects), and an
 * Ed25519 pair whose private half Herald signs evidence with and whose public half verifies it.
 */
final class BenchKeys {

    private final RsaJsonWebKey key;
    private final Path publicKey;
    private final Path evidenceSigningKey;
    private final Path evidencePublicKey;

    BenchKeys(Path directory) throws JoseException, IOException, GeneralSecurityException {
        Files.createDirectories(directory);
        key = RsaJwkGenerator.generateJwk(2048);
        publicKey = pem(directory.resolve("bench-jwt-public.pem"), "PUBLIC KEY", key.getPublicKey().getEncoded());
        KeyPair evidence = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
        evidenceSigningKey = pem(directory.resolve("bench-evidence-signing.pem"), "PRIVATE KEY",
                evidence.getPrivate().getEncoded());
        evidencePublicKey = pem(directory.resolve("bench-evidence-public.pem"), "PUBLIC KEY",
                evidence.getPublic().getEncoded());
    }

    private static Path pem(Path file, String kind, byte[] der) throws IOException {
        Files.writeString(file, "-----BEGIN " + kind + "-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(der) + "\n-----END " + kind + "-----\n");
        return file;
    }

    /** Herald's configuration for these keys. */
    Map<String, String> environment() {
        return Map.of("HERALD_JWT_PUBLIC_KEY", "file:" + publicKey.toAbsolutePath(),
                "HERALD_EVIDENCE_SIGNING_KEY", evidenceSigningKey.toAbsolutePath().toString());
    }

    /** The public key that verifies Herald's evidence exports. */
    Path evidencePublicKey() {
        return evidencePublicKey;
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
