package dev.herald.channel.email;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.Signature;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;

import dev.herald.ops.InvalidInputException;
import dev.herald.ops.RefusedException;
import io.quarkus.runtime.StartupEvent;

/**
 * Amazon SES notifications delivered by Amazon SNS over HTTPS. Every SNS message is checked as SNS
 * documents it: the signing certificate comes only from an SNS host, and the signature (version 1,
 * SHA1withRSA, or 2, SHA256withRSA) covers the documented fields in the documented order. A
 * subscription confirmation is confirmed by visiting its SubscribeURL.
 */
@ApplicationScoped
public class SesNotifications {

    private static final Logger LOG = Logger.getLogger(SesNotifications.class);
    public static final String SOURCE = "ses";

    private static final List<String> NOTIFICATION_FIELDS = List.of("Message", "MessageId", "Subject", "Timestamp",
            "TopicArn", "Type");
    private static final List<String> SUBSCRIPTION_FIELDS = List.of("Message", "MessageId", "SubscribeURL",
            "Timestamp", "Token", "TopicArn", "Type");

    private final EventsConfig.Sns config;
    private final ObjectMapper json;
    private final Pattern certUrl;
    private final Pattern subscribeUrl;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final Cache<String, X509Certificate> certificates = Caffeine.newBuilder()
            .maximumSize(50).expireAfterWrite(Duration.ofHours(1)).build();

    SesNotifications(EventsConfig config, ObjectMapper json) {
        this.config = config.sns();
        this.json = json;
        this.certUrl = Pattern.compile(this.config.certUrlPattern());
        this.subscribeUrl = Pattern.compile(this.config.subscribeUrlPattern());
    }

    void sayWhetherSnsIsAccepted(@Observes StartupEvent event) {
        if (config.topicArns().orElse(List.of()).isEmpty()) {
            LOG.info("Amazon SNS events are refused until herald.events.sns.topic-arns lists the topics Herald is"
                    + " subscribed to");
        }
    }

    /** The SNS message in a request body, once its topic and signature check out. */
    public JsonNode verified(byte[] body) throws IOException {
        JsonNode message = json.readTree(body);
        if (message == null || !message.isObject()) {
            throw InvalidInputException.of("body", "an SNS message is a JSON object");
        }
        String type = required(message, "Type");
        List<String> fields = switch (type) {
            case "Notification" -> NOTIFICATION_FIELDS;
            case "SubscriptionConfirmation", "UnsubscribeConfirmation" -> SUBSCRIPTION_FIELDS;
            default -> throw InvalidInputException.of("Type", "unknown SNS message type '" + type + "'");
        };
        String topic = required(message, "TopicArn");
        List<String> topics = config.topicArns().orElse(List.of());
        if (topics.isEmpty()) {
            // Bounces and complaints lost until someone looks: say so where operators look.
            LOG.warnf("Refused an SNS message of topic %s: herald.events.sns.topic-arns lists no topic", topic);
            throw SignedEvents.unauthorized("SNS messages are not accepted: herald.events.sns.topic-arns lists no topic;"
                    + " list the topics Herald is subscribed to");
        }
        if (!topics.contains(topic)) {
            throw new RefusedException(RefusedException.Reason.FORBIDDEN, "Forbidden", "SNS topic " + topic + " is not one Herald listens to");
        }
        String signingAlgorithm = switch (required(message, "SignatureVersion")) {
            case "1" -> "SHA1withRSA";
            case "2" -> "SHA256withRSA";
            default -> throw InvalidInputException.of("SignatureVersion", "must be 1 or 2");
        };
        StringBuilder signed = new StringBuilder();
        for (String field : fields) {
            JsonNode value = message.get(field);
            if (value != null && !value.isNull()) {
                signed.append(field).append('\n').append(value.asText()).append('\n');
            } else if (!field.equals("Subject")) {
                throw InvalidInputException.of(field, "is required in an SNS " + type);
            }
        }
        try {
            Signature signature = Signature.getInstance(signingAlgorithm);
            signature.initVerify(certificate(required(message, "SigningCertURL")));
            signature.update(signed.toString().getBytes(StandardCharsets.UTF_8));
            if (!signature.verify(Base64.getDecoder().decode(required(message, "Signature")))) {
                throw SignedEvents.unauthorized("the SNS signature does not match the message");
            }
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            throw SignedEvents.unauthorized("the SNS signature cannot be checked: " + e.getMessage());
        }
        return message;
    }

    /** Confirms a subscription by visiting its SubscribeURL, as SNS asks. */
    public void confirm(JsonNode message) throws IOException, InterruptedException {
        String url = required(message, "SubscribeURL");
        if (!subscribeUrl.matcher(url).matches()) {
            throw InvalidInputException.of("SubscribeURL", "is not an SNS address");
        }
        HttpResponse<Void> response = http.send(HttpRequest.newBuilder(URI.create(url))
                .timeout(Duration.ofSeconds(10)).GET().build(), HttpResponse.BodyHandlers.discarding());
        if (response.statusCode() / 100 != 2) {
            throw new IllegalStateException("SNS answered " + response.statusCode() + " to the subscription confirmation");
        }
        LOG.infof("Subscribed to SNS topic %s", message.get("TopicArn").asText());
    }

    /** The email event an SES notification reports, or empty for kinds Herald does not track (Send, Open, …). */
    public Optional<EmailEvent> event(JsonNode snsMessage) throws IOException {
        JsonNode ses = json.readTree(required(snsMessage, "Message"));
        String eventId = required(snsMessage, "MessageId");
        String type = ses.path("notificationType").asText(ses.path("eventType").asText(""));
        String reference = reference(ses.path("mail"));
        return Optional.ofNullable(switch (type) {
            case "Delivery" -> new EmailEvent(SOURCE, eventId, EmailEvent.Kind.DELIVERED, false, reference,
                    text(ses.path("delivery").path("smtpResponse")));
            case "Bounce" -> {
                JsonNode bounce = ses.path("bounce");
                String diagnostic = text(bounce.path("bouncedRecipients").path(0).path("diagnosticCode"));
                yield new EmailEvent(SOURCE, eventId, EmailEvent.Kind.BOUNCED,
                        "Permanent".equals(bounce.path("bounceType").asText()), reference,
                        diagnostic != null ? diagnostic
                                : bounce.path("bounceType").asText() + "/" + bounce.path("bounceSubType").asText());
            }
            case "Complaint" -> new EmailEvent(SOURCE, eventId, EmailEvent.Kind.COMPLAINED, false, reference,
                    text(ses.path("complaint").path("complaintFeedbackType")));
            default -> null;
        });
    }

    /** Herald's X-Herald-Delivery header if SES kept the headers, else the Message-ID. */
    private static String reference(JsonNode mail) {
        for (JsonNode header : mail.path("headers")) {
            if ("X-Herald-Delivery".equalsIgnoreCase(header.path("name").asText())) {
                return header.path("value").asText();
            }
        }
        return text(mail.path("commonHeaders").path("messageId"));
    }

    private X509Certificate certificate(String url) {
        if (!certUrl.matcher(url).matches()) {
            throw SignedEvents.unauthorized("SigningCertURL " + url + " is not an SNS certificate address");
        }
        return certificates.get(url, u -> {
            try {
                HttpResponse<byte[]> response = http.send(HttpRequest.newBuilder(URI.create(u))
                        .timeout(Duration.ofSeconds(10)).GET().build(), HttpResponse.BodyHandlers.ofByteArray());
                if (response.statusCode() != 200) {
                    throw new IllegalStateException("fetching " + u + " answered " + response.statusCode());
                }
                X509Certificate certificate = (X509Certificate) CertificateFactory.getInstance("X.509")
                        .generateCertificate(new ByteArrayInputStream(response.body()));
                certificate.checkValidity();
                return certificate;
            } catch (IOException | GeneralSecurityException e) {
                throw new IllegalStateException("cannot fetch the SNS signing certificate " + u, e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted fetching " + u, e);
            }
        });
    }

    private static String required(JsonNode message, String field) {
        JsonNode value = message.get(field);
        if (value == null || !value.isTextual() || value.asText().isEmpty()) {
            throw InvalidInputException.of(field, "is required");
        }
        return value.asText();
    }

    private static String text(JsonNode node) {
        return node.isMissingNode() || node.isNull() ? null : node.asText();
    }
}
