package dev.herald.support;

import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import org.subethamail.smtp.MessageContext;
import org.subethamail.smtp.MessageHandler;
import org.subethamail.smtp.RejectException;
import org.subethamail.smtp.server.Session;

/**
 * A real SMTP server (SubEthaSMTP) that answers by recipient, for testing how replies are handled:
 * {@code reject-*} gets 550, {@code busy-*} gets 451 on its first attempt, {@code throttled-*} gets
 * 421 ("system not accepting network messages") on its first attempt, {@code jammed-*} gets 451 every time,
 * {@code hangup-*} has its message read whole on its first attempt and the connection closed with no reply to
 * the final dot (a relay killed while it took the message), {@code stall-*} the same after {@link #STALL},
 * longer than Herald waits for a reply; anything else is accepted and recorded.
 */
public class ScriptedSmtpServer extends SubethaSmtpResource {

    /** How long a stalled relay keeps a message unanswered: more than the test's herald.smtp.timeout. */
    public static final java.time.Duration STALL = java.time.Duration.ofSeconds(3);
    private static final List<String> accepted = new CopyOnWriteArrayList<>();
    private static final Map<String, AtomicInteger> attempts = new ConcurrentHashMap<>();

    /** Recipients whose message was accepted, once per accepted message. */
    public static List<String> accepted() {
        return List.copyOf(accepted);
    }

    @Override
    MessageHandler handler(MessageContext context) {
        return new RecipientDialogue() {
            private String recipient;
            private int attempt;

            @Override
            public void recipient(String to) throws RejectException {
                attempt = attempts.computeIfAbsent(to, k -> new AtomicInteger()).incrementAndGet();
                if (to.startsWith("reject-")) {
                    throw new RejectException(550, "5.1.1 <" + to + ">: no such user");
                }
                if (to.startsWith("throttled-") && attempt == 1) {
                    throw new RejectException(421, "4.3.2 system not accepting network messages");
                }
                if (to.startsWith("jammed-") || (to.startsWith("busy-") && attempt == 1)) {
                    throw new RejectException(451, "4.3.2 try again later");
                }
                recipient = to;
            }

            @Override
            public String data(InputStream data) throws IOException {
                data.transferTo(OutputStreamSink.INSTANCE);
                if (recipient.startsWith("hangup-") && attempt == 1) {
                    ((Session) context).closeSocket();
                    return null;
                }
                if (recipient.startsWith("stall-") && attempt == 1) {
                    try {
                        Thread.sleep(STALL.toMillis());
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    ((Session) context).closeSocket();
                    return null;
                }
                accepted.add(recipient);
                return null;
            }
        };
    }

    private static final class OutputStreamSink extends java.io.OutputStream {
        static final OutputStreamSink INSTANCE = new OutputStreamSink();

        @Override
        public void write(int b) {
        }

        @Override
        public void write(byte[] b, int off, int len) {
        }
    }
}
