package dev.herald.channel;

/**
 * Sending this notice cannot go on until an operator acts: the provider refuses Herald's credentials,
 * or the notice's messages cannot be made. Going on would burn through the audience.
 */
public class SendingHaltedException extends Exception {

    public SendingHaltedException(String reason) {
        super(reason);
    }
}
