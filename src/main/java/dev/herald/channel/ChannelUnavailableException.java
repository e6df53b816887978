package dev.herald.channel;

/** The channel's provider cannot be reached, or refuses every message: the channel itself is down. */
public class ChannelUnavailableException extends Exception {

    public ChannelUnavailableException(String reason) {
        super(reason);
    }
}
