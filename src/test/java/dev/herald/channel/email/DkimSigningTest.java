package dev.herald.channel.email;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Properties;

import jakarta.mail.Session;

import org.apache.james.jdkim.DKIMVerifier;
import org.apache.james.jdkim.api.SignatureRecord;
import org.apache.james.jdkim.exceptions.FailException;
import org.apache.james.jdkim.exceptions.PermFailException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.herald.render.RenderedEmail;

/**
 * Herald's DKIM signatures, checked by an independent verifier (Apache James jDKIM) against the test key
 * as DNS would publish it: they verify, they are the same every time a delivery is composed, the message
 * behind them is byte for byte the unsigned one, and any change to what is signed breaks them.
 */
class DkimSigningTest {

    private static final Session SESSION = Session.getInstance(new Properties());
    /** Before any clock this runs on: verifiers refuse signatures dated in the future. */
    private static final Instant DATE = Instant.parse("2024-03-01T10:00:00Z");
    private static final String FROM = "Example Security <security@mail.example.com>";

    private final EmailSettings unsignedConfig = EmailSettings.unsigned(FROM);
    private final EmailSettings signedConfig = EmailSettings.signed(FROM, "herald2026");

    @Test
    void aSignedMessageVerifiesWithAnIndependentVerifier() throws Exception {
        byte[] signed = compose(signedConfig, "Notice of Data Breach", "Dear Mina,\nyour data leaked.");

        List<SignatureRecord> verified = verifier(publishedKey()).verify(new ByteArrayInputStream(signed));

        assertThat(verified).hasSize(1);
        SignatureRecord signature = verified.get(0);
        assertThat(signature.getDToken().toString()).isEqualTo("mail.example.com");
        assertThat(signature.getSelector().toString()).isEqualTo("herald2026");
        assertThat(signature.getHeaderCanonicalisationMethod()).isEqualTo("relaxed");
        assertThat(signature.getBodyCanonicalisationMethod()).isEqualTo("relaxed");
        assertThat(signature.getHashKeyType().toString() + "-" + signature.getHashMethod()).isEqualTo("rsa-sha256");
        assertThat(signature.getHeaders()).map(h -> h.toString().toLowerCase())
                .containsExactlyInAnyOrderElementsOf(DkimSigning.SIGNED_HEADERS.stream().map(String::toLowerCase).toList());
        // t= is the message's Date (the notice's dispatch time), not the clock's: see the determinism test.
        assertThat(signature.getSignatureTimestamp()).isEqualTo(DATE.getEpochSecond());
        assertThat(header(signed)).doesNotContain("x=").doesNotContain("l=").startsWith("DKIM-Signature: v=1; a=rsa-sha256;");
    }

    @Test
    void theSignatureIsAHeaderInFrontOfTheUnchangedMessage() throws Exception {
        byte[] unsigned = compose(unsignedConfig, "Notice of Data Breach", "Dear Mina,\nyour data leaked.");
        byte[] signed = compose(signedConfig, "Notice of Data Breach", "Dear Mina,\nyour data leaked.");

        int header = header(signed).length();
        assertThat(Arrays.copyOfRange(signed, header, signed.length)).isEqualTo(unsigned);
        // The library itself writes the rest unchanged too: no re-folding, no re-encoding.
        DkimSigning signing = new DkimSigning(signedConfig);
        EmailComposer plain = new EmailComposer(unsignedConfig, new DkimSigning(unsignedConfig));
        EmailComposer.ComposedMessage message = plain.compose(SESSION, 7, 42, "mina@example.org", "Mina Park",
                email("Notice of Data Breach", "Dear Mina,\nyour data leaked."), DATE);
        assertThat(signing.writtenByLibrary(message)).isEqualTo(signed);
    }

    @Test
    void composingTheSameDeliveryAgainGivesTheSameBytes() throws Exception {
        String subject = "Avis de sécurité important concernant votre compte — incident du 20 novembre 2026";
        String text = "Bonjour Zoë,\n\n" + "Nous avons découvert un accès non autorisé. ".repeat(60);
        byte[] first = compose(signedConfig, subject, text);
        Thread.sleep(1_100); // a second later: a clock-derived t= would differ
        byte[] again = compose(signedConfig, subject, text);

        assertThat(again).isEqualTo(first);
        verifier(publishedKey()).verify(new ByteArrayInputStream(again));
    }

    @Test
    void aChangedBodyOrSignedHeaderFailsVerification() throws Exception {
        byte[] signed = compose(signedConfig, "Notice of Data Breach", "Dear Mina,\nyour data leaked.");
        String wire = new String(signed, StandardCharsets.US_ASCII);
        String textPart = "Content-Transfer-Encoding: base64\r\n\r\n";
        int body = wire.indexOf(textPart) + textPart.length();

        String changedBody = wire.substring(0, body) + (wire.charAt(body) == 'R' ? 'S' : 'R') + wire.substring(body + 1);
        String changedSubject = wire.replace("Subject: Notice of Data Breach", "Subject: Notice of Data Breach!");
        String changedTo = wire.replace("mina@example.org", "eve@example.org");
        String changedDelivery = wire.replace("X-Herald-Delivery: 7/42", "X-Herald-Delivery: 7/43");
        for (String changed : List.of(changedBody, changedSubject, changedTo, changedDelivery)) {
            assertThat(changed).isNotEqualTo(wire);
            assertThatThrownBy(() -> verifier(publishedKey()).verify(stream(changed))).isInstanceOf(FailException.class);
        }
        // Relaxed canonicalisation: a relay that re-folds a header or pads spaces does not break it.
        String refolded = wire.replace("Subject: Notice of Data Breach", "Subject:  Notice of\r\n\tData Breach ");
        assertThat(verifier(publishedKey()).verify(stream(refolded))).hasSize(1);
        // Another key published under the selector does not verify it either.
        java.security.KeyPairGenerator generator = java.security.KeyPairGenerator.getInstance("RSA");
        generator.initialize(2048);
        String other = java.util.Base64.getEncoder().encodeToString(generator.generateKeyPair().getPublic().getEncoded());
        assertThatThrownBy(() -> verifier(other).verify(stream(wire))).isInstanceOf(FailException.class);
    }

    @Test
    void thePublicKeyIsTheOneOpensslDerived() throws Exception {
        DkimSigning signing = new DkimSigning(signedConfig);

        assertThat(signing.signs()).isTrue();
        assertThat(signing.publicKeyBase64()).contains(publishedKey());
        assertThat(signing.domain()).isEqualTo("mail.example.com");
        assertThat(signing.selector()).contains("herald2026");
        assertThat(new DkimSigning(unsignedConfig).publicKeyBase64()).isEmpty();
        assertThat(new DkimSigning(unsignedConfig).signs()).isFalse();
        DkimSigning otherDomain = new DkimSigning(signedConfig.withDkim(Optional.of(EmailSettings.TEST_KEY),
                Optional.of("s1"), Optional.of("Example.COM")));
        assertThat(otherDomain.domain()).isEqualTo("example.com");
    }

    @Test
    void aKeyWithoutSelectorOrThatCannotBeReadRefusesTheStart(@TempDir Path directory) throws Exception {
        Path pkcs1 = Files.writeString(directory.resolve("pkcs1.pem"), "-----BEGIN RSA PRIVATE KEY-----\nMIIB\n-----END RSA PRIVATE KEY-----\n");
        Path garbage = Files.writeString(directory.resolve("garbage.pem"), "-----BEGIN PRIVATE KEY-----\nbm90IGEga2V5\n-----END PRIVATE KEY-----\n");
        Path publicKey = EmailSettings.TEST_PUBLIC_KEY;

        assertRefused(Optional.of(EmailSettings.TEST_KEY), Optional.empty(), "herald.email.dkim.selector is not");
        assertRefused(Optional.of(EmailSettings.TEST_KEY), Optional.of(" "), "herald.email.dkim.selector is not");
        assertRefused(Optional.of(directory.resolve("absent.pem")), Optional.of("s1"), "cannot be read");
        assertRefused(Optional.of(pkcs1), Optional.of("s1"), "PKCS#1");
        assertRefused(Optional.of(garbage), Optional.of("s1"), "is not an RSA private key");
        assertRefused(Optional.of(publicKey), Optional.of("s1"), "is not an unencrypted PKCS#8 PEM private key");
        assertRefused(Optional.of(EmailSettings.TEST_KEY), Optional.of("bad selector"), "is not a DNS name");
        // A selector alone is fine: the readiness check looks the relay's key up under it.
        assertThat(new DkimSigning(unsignedConfig.withDkim(Optional.empty(), Optional.of("relay1"), Optional.empty()))
                .selector()).contains("relay1");
    }

    private void assertRefused(Optional<Path> key, Optional<String> selector, String message) {
        assertThatThrownBy(() -> new DkimSigning(unsignedConfig.withDkim(key, selector, Optional.empty())))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining(message);
    }

    private static byte[] compose(EmailSettings config, String subject, String text) throws Exception {
        EmailComposer composer = new EmailComposer(config, new DkimSigning(config));
        return composer.compose(SESSION, 7, 42, "mina@example.org", "Mina Park", email(subject, text), DATE).bytes();
    }

    private static RenderedEmail email(String subject, String text) {
        return new RenderedEmail("en", subject, "<p>" + text.replace("\n", "<br>") + "</p>", text);
    }

    /** The first header of the message, with its CRLF: the DKIM-Signature. */
    private static String header(byte[] message) {
        String wire = new String(message, StandardCharsets.US_ASCII);
        int end = 0;
        do {
            end = wire.indexOf("\r\n", end) + 2;
        } while (wire.charAt(end) == ' ' || wire.charAt(end) == '\t');
        return wire.substring(0, end);
    }

    /** The test key's public half as openssl wrote it, which is what the TXT record's p= carries. */
    private static String publishedKey() throws Exception {
        return Files.readString(EmailSettings.TEST_PUBLIC_KEY).replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
    }

    /** A verifier that finds {@code v=DKIM1; k=rsa; p=…} at the selector, as DNS would answer. */
    private static DKIMVerifier verifier(String publicKey) {
        return new DKIMVerifier((method, selector, domain) -> {
            if (!"herald2026".contentEquals(selector) || !"mail.example.com".contentEquals(domain)) {
                throw new PermFailException("no key at " + selector + "._domainkey." + domain);
            }
            return List.of("v=DKIM1; k=rsa; p=" + publicKey);
        });
    }

    private static ByteArrayInputStream stream(String wire) {
        return new ByteArrayInputStream(wire.getBytes(StandardCharsets.US_ASCII));
    }
}
