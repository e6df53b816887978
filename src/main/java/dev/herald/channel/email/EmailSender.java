package dev.herald.channel.email;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.mail.MessagingException;

import dev.herald.channel.ChannelSender;
import dev.herald.channel.ChannelUnavailableException;
import dev.herald.channel.DeliveryJob;
import dev.herald.channel.OutcomeSink;
import dev.herald.channel.SendingHaltedException;
import dev.herald.delivery.DeliveryChannel;
import dev.herald.delivery.Outcome;
import dev.herald.ops.FieldError;
import dev.herald.ops.Sha256;
import dev.herald.render.CompiledNotice;
import dev.herald.render.LocaleTemplate;
import dev.herald.render.NoticeRenderer;
import dev.herald.render.Recipient;
import io.quarkus.qute.TemplateException;

/**
 * Email on the channel port: renders each job, composes its MIME message and sends the batch over SMTP.
 * The bean sends fresh batches and never waits for a domain group's pace; {@link #waitingForPace} is the
 * same sender for the later queue.
 */
@ApplicationScoped
public class EmailSender implements ChannelSender {

    private final NoticeRenderer renderer;
    private final EmailComposer composer;
    private final SmtpSender smtp;
    private final DomainGroups groups;
    private final SmtpSender.Lane lane;

    @Inject
    EmailSender(NoticeRenderer renderer, EmailComposer composer, SmtpSender smtp, DomainGroups groups) {
        this(renderer, composer, smtp, groups, SmtpSender.Lane.FRESH);
    }

    private EmailSender(NoticeRenderer renderer, EmailComposer composer, SmtpSender smtp, DomainGroups groups,
            SmtpSender.Lane lane) {
        this.renderer = renderer;
        this.composer = composer;
        this.smtp = smtp;
        this.groups = groups;
        this.lane = lane;
    }

    /** This sender for deliveries postponed for their group's pace: it waits up to {@code wait} for that pace. */
    EmailSender waitingForPace(Duration wait) {
        return new EmailSender(renderer, composer, smtp, groups, SmtpSender.Lane.later(wait));
    }

    @Override
    public DeliveryChannel channel() {
        return DeliveryChannel.EMAIL;
    }

    @Override
    public void send(List<DeliveryJob> jobs, OutcomeSink outcomes)
            throws ChannelUnavailableException, SendingHaltedException, InterruptedException {
        List<SmtpSender.Envelope> envelopes = new ArrayList<>(jobs.size());
        for (DeliveryJob job : jobs) {
            try {
                EmailComposer.ComposedMessage message = compose(job);
                envelopes.add(new SmtpSender.Envelope(job.deliveryId(), message, Sha256.of(message.bytes()),
                        groups.of(job.destination())));
            } catch (TemplateException e) {
                // The notice's templates, not this customer, are at fault: every other message would fail too.
                throw new SendingHaltedException("the email template fails for customer " + job.recipient().id()
                        + ": " + NoticeRenderer.describe(e));
            } catch (MessagingException e) {
                outcomes.report(Outcome.failed(job.deliveryId(), "cannot build the message: " + e.getMessage()));
            }
        }
        smtp.send(envelopes, outcomes, lane);
    }

    @Override
    public byte[] content(DeliveryJob job) {
        try {
            return compose(job).bytes();
        } catch (MessagingException e) {
            throw new IllegalStateException("Delivery " + job.deliveryId() + " cannot be composed again", e);
        }
    }

    @Override
    public void render(CompiledNotice notice, Recipient recipient) {
        renderer.render(notice, recipient);
    }

    @Override
    public List<FieldError> templateProblems(Map<String, LocaleTemplate> templates) {
        return List.of();
    }

    private EmailComposer.ComposedMessage compose(DeliveryJob job) throws MessagingException {
        return composer.compose(smtp.session(), job.noticeId(), job.deliveryId(), job.destination(),
                job.recipient().displayName(), renderer.render(job.notice(), job.recipient()), job.notice().messageDate());
    }

    @Override
    public boolean probe() {
        return smtp.probe();
    }
}
