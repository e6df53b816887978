package dev.herald.channel.email;

import java.util.ArrayList;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.mail.MessagingException;

import dev.herald.channel.ChannelSender;
import dev.herald.channel.ChannelUnavailableException;
import dev.herald.channel.DeliveryJob;
import dev.herald.channel.OutcomeSink;
import dev.herald.channel.SendingHaltedException;
import dev.herald.delivery.DeliveryChannel;
import dev.herald.delivery.Outcome;
import dev.herald.render.NoticeRenderer;
import io.quarkus.qute.TemplateException;

/** Email on the channel port: renders each job, composes its MIME message and sends the batch over SMTP. */
@ApplicationScoped
public class EmailSender implements ChannelSender {

    private final NoticeRenderer renderer;
    private final EmailComposer composer;
    private final SmtpSender smtp;

    EmailSender(NoticeRenderer renderer, EmailComposer composer, SmtpSender smtp) {
        this.renderer = renderer;
        this.composer = composer;
        this.smtp = smtp;
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
                envelopes.add(new SmtpSender.Envelope(job.deliveryId(), composer.compose(smtp.session(), job.noticeId(),
                        job.deliveryId(), job.destination(), job.recipient().displayName(),
                        renderer.render(job.notice(), job.recipient()))));
            } catch (TemplateException e) {
                // The notice's templates, not this customer, are at fault: every other message would fail too.
                throw new SendingHaltedException("the email template fails for customer " + job.recipient().id()
                        + ": " + NoticeRenderer.describe(e));
            } catch (MessagingException e) {
                outcomes.report(Outcome.failed(job.deliveryId(), "cannot build the message: " + e.getMessage()));
            }
        }
        smtp.send(envelopes, outcomes);
    }

    @Override
    public boolean probe() {
        return smtp.probe();
    }
}
