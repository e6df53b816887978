package dev.herald.evidence;

import java.io.IOException;
import java.nio.file.Files;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;

import jakarta.enterprise.context.ApplicationScoped;

import dev.herald.ops.ConflictException;

/** Signs evidence digests with the configured Ed25519 key (herald.evidence.signing-key). */
@ApplicationScoped
public class EvidenceSigner {

    static final String ALGORITHM = EvidenceChain.SIGNATURE_ALGORITHM;

    private final EvidenceConfig config;

    EvidenceSigner(EvidenceConfig config) {
        this.config = config;
    }

    /** Refuses before anything is streamed when there is no key to sign with. */
    void requireKey() {
        if (config.signingKey().isEmpty()) {
            throw new ConflictException("this Herald has no evidence signing key (herald.evidence.signing-key,"
                    + " HERALD_EVIDENCE_SIGNING_KEY): an unsigned export would prove nothing");
        }
    }

    byte[] sign(byte[] digest) {
        requireKey();
        try {
            Signature signature = Signature.getInstance(ALGORITHM);
            signature.initSign(privateKey());
            signature.update(digest);
            return signature.sign();
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException("The evidence signing key " + config.signingKey().get()
                    + " cannot sign: it must be an Ed25519 private key in PKCS#8 PEM (openssl genpkey -algorithm ed25519)", e);
        }
    }

    private PrivateKey privateKey() throws IOException, GeneralSecurityException {
        String pem = Files.readString(config.signingKey().get());
        byte[] der = Base64.getMimeDecoder().decode(pem.replaceAll("-----[A-Z ]+-----", ""));
        return KeyFactory.getInstance(ALGORITHM).generatePrivate(new PKCS8EncodedKeySpec(der));
    }
}
