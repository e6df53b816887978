package dev.herald.channel.email;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.interfaces.RSAPrivateCrtKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.RSAPublicKeySpec;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.mail.MessagingException;
import jakarta.mail.internet.AddressException;
import jakarta.mail.internet.InternetAddress;

import org.jboss.logging.Logger;
import org.simplejavamail.utils.mail.dkim.Canonicalization;
import org.simplejavamail.utils.mail.dkim.DkimException;
import org.simplejavamail.utils.mail.dkim.DkimMessage;
import org.simplejavamail.utils.mail.dkim.DkimSigner;

import io.quarkus.runtime.Startup;

/**
 * Herald's own DKIM signature (RFC 6376: rsa-sha256, relaxed/relaxed) on every message, for relays that
 * do not sign; without a key (herald.email.dkim.private-key) messages go unsigned, as before.
 * <p>
 * The signature is one header put in front of the composed bytes, which stay exactly as they were: the
 * evidence hashes what was sent, and a delivery composed again must give the same bytes. That holds
 * because nothing in the signature depends on when it is made: the library takes {@code t=} from the
 * message's Date (the notice's dispatch time), and RSA PKCS#1 v1.5 signatures are deterministic.
 */
@ApplicationScoped
// Made at boot: a key that cannot be read refuses the start, not the first send of an incident.
@Startup
public class DkimSigning {

    private static final Logger LOG = Logger.getLogger(DkimSigning.class);

    /** Every header Herald writes: none of them can be changed on the way without breaking the signature. */
    static final List<String> SIGNED_HEADERS = List.of("From", "To", "Subject", "Date", "Message-ID",
            "MIME-Version", "Content-Type", "Content-Language", "X-Herald-Delivery");

    private static final Pattern DNS_NAME = Pattern.compile("[A-Za-z0-9_]([A-Za-z0-9_-]*[A-Za-z0-9_])?"
            + "(\\.[A-Za-z0-9_]([A-Za-z0-9_-]*[A-Za-z0-9_])?)*");

    private final String domain;
    private final Optional<String> selector;
    private final RSAPrivateCrtKey key;
    private final String publicKey;

    DkimSigning(EmailConfig config) throws AddressException {
        EmailConfig.Dkim dkim = config.dkim();
        String from = new InternetAddress(config.from(), true).getAddress();
        this.domain = dkim.domain().filter(d -> !d.isBlank()).orElse(from.substring(from.lastIndexOf('@') + 1))
                .toLowerCase(Locale.ROOT);
        this.selector = dkim.selector().filter(s -> !s.isBlank()).map(String::trim);
        if (dkim.privateKey().isEmpty()) {
            this.key = null;
            this.publicKey = null;
            return;
        }
        Path path = dkim.privateKey().get();
        if (selector.isEmpty()) {
            throw new IllegalStateException("herald.email.dkim.private-key is set but herald.email.dkim.selector is not:"
                    + " receivers look the public key up at <selector>._domainkey." + domain + "; set the selector"
                    + " the key is published under (HERALD_EMAIL_DKIM_SELECTOR)");
        }
        for (String[] name : new String[][] { { "selector", selector.get() }, { "domain", domain } }) {
            if (!DNS_NAME.matcher(name[1]).matches() || (name[0].equals("domain") && !name[1].contains("."))) {
                throw new IllegalStateException("herald.email.dkim." + name[0] + " '" + name[1] + "' is not a DNS name");
            }
        }
        // The library lower-cases header names in the default locale: in Turkish, "MIME-Version" would not
        // become "mime-version" and every signature would fail to verify.
        if (!"MIME-VERSION".toLowerCase().equals("mime-version")) {
            throw new IllegalStateException("DKIM signing needs a default locale whose lower case of I is i; this one is "
                    + Locale.getDefault() + " (start the JVM with -Duser.language=en)");
        }
        this.key = readKey(path);
        this.publicKey = publicKeyOf(key);
        signer(); // the domain, the selector and the key are accepted by the signer, or the start is refused
        if (key.getModulus().bitLength() < 2048) {
            LOG.warnf("The DKIM key %s has %d bits; RFC 8301 asks for 2048", path, key.getModulus().bitLength());
        }
        LOG.infof("Signing every message with DKIM: d=%s, s=%s", domain, selector.get());
    }

    /** Whether Herald signs: a key is configured. */
    public boolean signs() {
        return key != null;
    }

    /** The signing domain (d=): herald.email.dkim.domain, else the From address's domain. */
    public String domain() {
        return domain;
    }

    public Optional<String> selector() {
        return selector;
    }

    /** The public key as DNS publishes it: the p= of {@code v=DKIM1; k=rsa; p=…} (base64 of its DER form). */
    public Optional<String> publicKeyBase64() {
        return Optional.ofNullable(publicKey);
    }

    /** The message with its DKIM-Signature header in front, or the message itself when Herald does not sign. */
    EmailComposer.ComposedMessage sign(EmailComposer.ComposedMessage message) throws MessagingException {
        if (key == null) {
            return message;
        }
        byte[] original = message.bytes();
        byte[] written = writtenByLibrary(message);
        // Only the library's header is taken: the rest stays the bytes Herald composed, whatever the library
        // might re-encode (the tests show it writes them unchanged).
        int end = headerEnd(written);
        byte[] signed = Arrays.copyOf(written, end + original.length);
        System.arraycopy(original, 0, signed, end, original.length);
        return message.withBytes(signed);
    }

    /** What the library writes: its DKIM-Signature header, then the message as it parsed it. */
    byte[] writtenByLibrary(EmailComposer.ComposedMessage message) throws MessagingException {
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream(message.getSize() + 1_024);
            // A signer per message: the library's keeps its Signature and MessageDigest in fields.
            new DkimMessage(message, signer()).writeTo(out);
            return out.toByteArray();
        } catch (IOException e) {
            throw new MessagingException("cannot sign the message with DKIM", e);
        }
    }

    private DkimSigner signer() {
        try {
            DkimSigner signer = new DkimSigner(domain, selector.get(), key);
            signer.setHeaderCanonicalization(Canonicalization.RELAXED);
            signer.setBodyCanonicalization(Canonicalization.RELAXED);
            // Otherwise it looks the key up in DNS before every signature.
            signer.setCheckDomainKey(false);
            SIGNED_HEADERS.forEach(signer::addHeaderToSign);
            return signer;
        } catch (DkimException e) {
            throw new IllegalStateException("DKIM signing with d=" + domain + ", s=" + selector.get() + " refused: "
                    + e.getMessage(), e);
        }
    }

    /** Where the first header ends: after the CRLF not followed by a folded continuation. */
    private static int headerEnd(byte[] message) {
        for (int i = 0; i + 2 < message.length; i++) {
            if (message[i] == '\r' && message[i + 1] == '\n' && message[i + 2] != ' ' && message[i + 2] != '\t') {
                return i + 2;
            }
        }
        throw new IllegalStateException("the DKIM library wrote no header");
    }

    private static RSAPrivateCrtKey readKey(Path path) {
        String where = "herald.email.dkim.private-key " + path;
        String pem;
        try {
            pem = Files.readString(path, StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new IllegalStateException(where + " cannot be read: " + e, e);
        }
        if (pem.contains("-----BEGIN RSA PRIVATE KEY-----")) {
            throw new IllegalStateException(where + " is a PKCS#1 key; give it as PKCS#8:"
                    + " openssl pkcs8 -topk8 -nocrypt -in key.pem -out dkim-private.pem");
        }
        int begin = pem.indexOf("-----BEGIN PRIVATE KEY-----");
        int end = pem.indexOf("-----END PRIVATE KEY-----");
        if (begin < 0 || end < begin) {
            throw new IllegalStateException(where + " is not an unencrypted PKCS#8 PEM private key"
                    + " (-----BEGIN PRIVATE KEY-----; openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048)");
        }
        try {
            byte[] der = Base64.getMimeDecoder().decode(pem.substring(begin + 27, end));
            PrivateKey key = KeyFactory.getInstance("RSA").generatePrivate(new PKCS8EncodedKeySpec(der));
            if (!(key instanceof RSAPrivateCrtKey crt)) {
                throw new IllegalStateException(where + " lacks the public parts of an RSA key (CRT form)");
            }
            if (crt.getModulus().bitLength() < 1024) {
                throw new IllegalStateException(where + " has " + crt.getModulus().bitLength()
                        + " bits: receivers ignore DKIM keys under 1024 (RFC 8301); use 2048");
            }
            return crt;
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            throw new IllegalStateException(where + " is not an RSA private key: " + e.getMessage(), e);
        }
    }

    private static String publicKeyOf(RSAPrivateCrtKey key) {
        try {
            return Base64.getEncoder().encodeToString(KeyFactory.getInstance("RSA")
                    .generatePublic(new RSAPublicKeySpec(key.getModulus(), key.getPublicExponent())).getEncoded());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("RSA is always supported", e);
        }
    }
}
