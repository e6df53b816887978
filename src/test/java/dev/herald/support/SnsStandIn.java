package dev.herald.support;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import com.sun.net.httpserver.HttpServer;

/**
 * Stands in for Amazon SNS where the real one cannot be reached: serves a test signing certificate
 * (src/test/resources/sns) over HTTP, records subscription confirmations, and signs messages the way
 * SNS documents (signature version 2: SHA256withRSA over "Key\nValue\n" of the documented fields).
 */
public final class SnsStandIn implements AutoCloseable {

    public static final String TOPIC = "arn:aws:sns:eu-west-1:123456789012:herald-ses-events";

    private final HttpServer server;
    private final PrivateKey key;
    private final List<String> confirmations = new CopyOnWriteArrayList<>();

    public SnsStandIn() throws IOException, GeneralSecurityException {
        byte[] certificate = resource("sns/cert.pem");
        String pem = new String(resource("sns/signing-key.pem"), StandardCharsets.US_ASCII)
                .replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
        key = KeyFactory.getInstance("RSA").generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder().decode(pem)));
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/SimpleNotificationService-test.pem", exchange -> {
            exchange.sendResponseHeaders(200, certificate.length);
            exchange.getResponseBody().write(certificate);
            exchange.close();
        });
        server.createContext("/confirm", exchange -> {
            confirmations.add(exchange.getRequestURI().getQuery());
            byte[] body = "<ConfirmSubscriptionResponse/>".getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        server.start();
    }

    public String base() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    public List<String> confirmations() {
        return confirmations;
    }

    /** An SNS Notification carrying {@code message} (an SES notification, as JSON text), signed. */
    public Map<String, String> notification(String messageId, String message) {
        return notification(messageId, message, TOPIC);
    }

    /** A notification of another topic, as anyone with an AWS account can publish and SNS signs. */
    public Map<String, String> notification(String messageId, String message, String topic) {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("Type", "Notification");
        m.put("MessageId", messageId);
        m.put("TopicArn", topic);
        m.put("Message", message);
        m.put("Timestamp", "2026-11-25T06:00:00.000Z");
        return signed(m, List.of("Message", "MessageId", "Subject", "Timestamp", "TopicArn", "Type"));
    }

    public Map<String, String> subscriptionConfirmation(String messageId, String token) {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("Type", "SubscriptionConfirmation");
        m.put("MessageId", messageId);
        m.put("Token", token);
        m.put("TopicArn", TOPIC);
        m.put("Message", "You have chosen to subscribe to the topic " + TOPIC);
        m.put("SubscribeURL", base() + "/confirm?Action=ConfirmSubscription&Token=" + token);
        m.put("Timestamp", "2026-11-25T06:00:00.000Z");
        return signed(m, List.of("Message", "MessageId", "SubscribeURL", "Timestamp", "Token", "TopicArn", "Type"));
    }

    private Map<String, String> signed(Map<String, String> message, List<String> fields) {
        StringBuilder text = new StringBuilder();
        for (String field : fields) {
            if (message.containsKey(field)) {
                text.append(field).append('\n').append(message.get(field)).append('\n');
            }
        }
        try {
            Signature signature = Signature.getInstance("SHA256withRSA");
            signature.initSign(key);
            signature.update(text.toString().getBytes(StandardCharsets.UTF_8));
            message.put("SignatureVersion", "2");
            message.put("Signature", Base64.getEncoder().encodeToString(signature.sign()));
            message.put("SigningCertURL", base() + "/SimpleNotificationService-test.pem");
            return message;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] resource(String name) throws IOException {
        try (InputStream in = SnsStandIn.class.getClassLoader().getResourceAsStream(name)) {
            if (in == null) {
                throw new UncheckedIOException(new IOException(name + " is missing"));
            }
            return in.readAllBytes();
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
