package dev.herald.support;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import org.junit.jupiter.api.extension.ExtendWith;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;

/**
 * A test against the running service, its real PostgreSQL and RabbitMQ, the GreenMail SMTP server,
 * the FCM and APNs stand-ins and the DNS stand-in.
 * Every test class shares one application start.
 */
@QuarkusTest
@ExtendWith(DefaultToken.class)
@QuarkusTestResource(value = SmtpServer.class, restrictToAnnotatedClass = false)
@QuarkusTestResource(value = PushStandIns.class, restrictToAnnotatedClass = false)
@QuarkusTestResource(value = DnsServer.class, restrictToAnnotatedClass = false)
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
public @interface HeraldTest {
}
