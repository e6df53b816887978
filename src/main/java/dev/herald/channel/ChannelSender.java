package dev.herald.channel;

import java.util.List;
import java.util.Map;

import dev.herald.delivery.DeliveryChannel;
import dev.herald.ops.FieldError;
import dev.herald.render.CompiledNotice;
import dev.herald.render.LocaleTemplate;
import dev.herald.render.Recipient;

/**
 * The port every channel implements to send: the delivery engine claims a batch, prepares the jobs,
 * and hands them here; the channel speaks its provider's protocol and says what became of each.
 */
public interface ChannelSender {

    DeliveryChannel channel();

    /**
     * Sends the jobs in order and reports each outcome to {@code outcomes} as soon as it is known. Stops
     * early, leaving the rest unreported, once {@code outcomes.mayContinue()} answers false.
     *
     * @throws ChannelUnavailableException the provider cannot be reached or refuses every message: the
     *         jobs not reported go back without an attempt counted, and the channel waits for a probe
     * @throws SendingHaltedException the provider refuses Herald itself (its credentials), or a message
     *         cannot be made: the jobs not reported go back and the notice is paused with the reason
     */
    void send(List<DeliveryJob> jobs, OutcomeSink outcomes)
            throws ChannelUnavailableException, SendingHaltedException, InterruptedException;

    /** Whether the provider answers again, after it was found unavailable. */
    boolean probe();

    /**
     * The exact bytes {@link #send} hands the provider for this job (a MIME message, a push payload):
     * the evidence re-renders a delivery with it and compares its SHA-256 with the one recorded.
     *
     * @throws io.quarkus.qute.TemplateException the templates fail for this customer
     */
    byte[] content(DeliveryJob job);

    /** Renders what this channel sends the customer, to find templates that fail before anything is sent. */
    void render(CompiledNotice notice, Recipient recipient);

    /** What this channel needs of a notice's templates and they lack, each named by its field. */
    List<FieldError> templateProblems(Map<String, LocaleTemplate> templates);
}
