package dev.herald.support;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import jakarta.mail.internet.MimeMessage;

import org.apache.james.jdkim.DKIMVerifier;
import org.apache.james.jdkim.api.SignatureRecord;
import org.apache.james.jdkim.exceptions.PermFailException;

/**
 * Checks a received message's DKIM signature with Apache James' verifier, against the test profile's key
 * (src/test/resources/dkim) as it would be published at herald-test._domainkey.herald.example.
 */
public final class DkimVerification {

    public static final String SELECTOR = "herald-test";
    public static final String DOMAIN = "herald.example";

    private DkimVerification() {
    }

    /** The test key's public half as the TXT record's p= carries it. */
    public static String publicKey() throws Exception {
        return Files.readString(Path.of("src/test/resources/dkim/public-key.pem"))
                .replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
    }

    /** The signatures that verify; throws when none does. */
    public static List<SignatureRecord> verify(MimeMessage message) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        message.writeTo(out);
        String key = publicKey();
        return new DKIMVerifier((method, selector, domain) -> {
            if (!SELECTOR.contentEquals(selector) || !DOMAIN.contentEquals(domain)) {
                throw new PermFailException("no key at " + selector + "._domainkey." + domain);
            }
            return List.of("v=DKIM1; k=rsa; p=" + key);
        }).verify(new ByteArrayInputStream(out.toByteArray()));
    }
}
