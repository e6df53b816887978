package dev.herald.channel.email;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.ObjectMapper;

import dev.herald.ops.RefusedException;

/** What Herald trusts of Amazon SNS as shipped: the production defaults, not the test profile's. */
class SnsTrustTest {

    @Test
    void withNoTopicListedEverySnsMessageIsRefused() {
        SesNotifications sns = new SesNotifications(config(Optional.empty()), new ObjectMapper());
        assertThatThrownBy(() -> sns.verified("{\"Type\":\"Notification\",\"TopicArn\":\"arn:aws:sns:eu-west-1:1:t\"}"
                .getBytes(StandardCharsets.UTF_8)))
                .isInstanceOfSatisfying(RefusedException.class, e -> assertThat(e.reason())
                        .isEqualTo(RefusedException.Reason.UNAUTHENTICATED))
                .hasMessageContaining("herald.events.sns.topic-arns lists no topic");
    }

    @Test
    void certificatesAndConfirmationsComeOnlyFromSnsRegionalHosts() throws IOException {
        Pattern cert = Pattern.compile(shipped("herald.events.sns.cert-url-pattern"));
        assertThat(List.of("https://sns.eu-west-1.amazonaws.com/SimpleNotificationService-6209c161c6221fdf56ec1eb5c821d112.pem",
                "https://sns.us-gov-west-1.amazonaws.com/SimpleNotificationService-abc.pem",
                "https://sns.cn-north-1.amazonaws.com.cn/SimpleNotificationService-abc.pem"))
                .allMatch(url -> cert.matcher(url).matches());
        assertThat(List.of("https://sns.s3.amazonaws.com/SimpleNotificationService-abc.pem",
                "https://sns.evil-bucket.amazonaws.com/x.pem",
                "http://sns.eu-west-1.amazonaws.com/SimpleNotificationService-abc.pem",
                "https://sns.eu-west-1.amazonaws.com.evil.example/x.pem",
                "https://sns.eu-west-1.amazonaws.com@evil.example/x.pem",
                "https://sns.eu-west-1.amazonaws.com/bucket/../x.pem"))
                .noneMatch(url -> cert.matcher(url).matches());
        Pattern subscribe = Pattern.compile(shipped("herald.events.sns.subscribe-url-pattern"));
        assertThat(subscribe.matcher("https://sns.eu-west-1.amazonaws.com/?Action=ConfirmSubscription&Token=x")
                .matches()).isTrue();
        assertThat(subscribe.matcher("https://sns.s3.amazonaws.com/?Action=ConfirmSubscription&Token=x").matches())
                .isFalse();
    }

    private static String shipped(String key) throws IOException {
        Properties properties = new Properties();
        try (InputStream in = SnsTrustTest.class.getResourceAsStream("/application.properties")) {
            properties.load(in);
        }
        return properties.getProperty(key);
    }

    private static EventsConfig config(Optional<List<String>> topics) {
        EventsConfig.Sns sns = new EventsConfig.Sns() {
            public String certUrlPattern() {
                return "https://sns\\.eu-west-1\\.amazonaws\\.com/[^/?#]+\\.pem";
            }

            public String subscribeUrlPattern() {
                return "https://sns\\.eu-west-1\\.amazonaws\\.com/\\?.*";
            }

            public Optional<List<String>> topicArns() {
                return topics;
            }
        };
        return new EventsConfig() {
            public Optional<String> hmacSecret() {
                return Optional.empty();
            }

            public Duration signatureTolerance() {
                return Duration.ofMinutes(5);
            }

            public Sns sns() {
                return sns;
            }
        };
    }
}
