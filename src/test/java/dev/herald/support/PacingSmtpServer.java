package dev.herald.support;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.subethamail.smtp.MessageContext;
import org.subethamail.smtp.MessageHandler;
import org.subethamail.smtp.RejectException;

/**
 * A real SMTP server (SubEthaSMTP) that behaves like a receiving provider with a rate limit: for each
 * domain given in the {@code limits} argument ("slow.example=50"), a recipient arriving when the
 * domain has already accepted that many messages in the last second gets Gmail's deferral,
 * {@code 421 4.7.28 ... unusual rate ...}; with "late.example=20@data" the deferral answers the
 * message instead, after its data. Every other domain accepts everything. It records each
 * accepted message with its notice (from X-Herald-Delivery) and when it was accepted.
 */
public class PacingSmtpServer extends SubethaSmtpResource {

    /** One accepted message. */
    public record Accepted(long notice, String recipient, long atMillis) {
        public String domain() {
            return recipient.substring(recipient.indexOf('@') + 1);
        }
    }

    private static final Pattern DELIVERY = Pattern.compile("X-Herald-Delivery: (\\d+)/\\d+");
    private static final String DEFERRAL = "4.7.28 [127.0.0.1] Our system has detected an unusual rate of"
            + " unsolicited mail originating from your IP address. To protect our users from spam, mail sent from"
            + " your IP address has been temporarily rate limited.";
    private static final Map<String, Integer> limits = new HashMap<>();
    private static final java.util.Set<String> atData = new java.util.HashSet<>();
    private static final Map<String, Deque<Long>> windows = new HashMap<>();
    private static final List<Accepted> accepted = new CopyOnWriteArrayList<>();
    private static volatile int deferrals;

    @Override
    public void init(Map<String, String> args) {
        for (String limit : args.getOrDefault("limits", "").split(",")) {
            if (!limit.isBlank()) {
                String[] parts = limit.split("[=@]");
                limits.put(parts[0].strip(), Integer.parseInt(parts[1].strip()));
                if (parts.length > 2 && parts[2].strip().equals("data")) {
                    atData.add(parts[0].strip());
                }
            }
        }
    }

    public static List<Accepted> accepted() {
        return List.copyOf(accepted);
    }

    /** How many recipients were deferred for going too fast. */
    public static int deferrals() {
        return deferrals;
    }

    private static String domainOf(String address) {
        return address.substring(address.indexOf('@') + 1).toLowerCase(Locale.ROOT);
    }

    /** Whether the domain may take one more message now; counts it when it may. */
    private static synchronized boolean admit(String domain) {
        Integer limit = limits.get(domain);
        if (limit == null) {
            return true;
        }
        long now = System.currentTimeMillis();
        Deque<Long> window = windows.computeIfAbsent(domain, d -> new ArrayDeque<>());
        while (!window.isEmpty() && window.peekFirst() <= now - 1_000) {
            window.pollFirst();
        }
        if (window.size() >= limit) {
            deferrals++;
            return false;
        }
        window.addLast(now);
        return true;
    }

    @Override
    MessageHandler handler(MessageContext context) {
        return new RecipientDialogue() {
            private String recipient;

            @Override
            public void recipient(String to) throws RejectException {
                String domain = domainOf(to);
                if (!atData.contains(domain) && !admit(domain)) {
                    throw new RejectException(421, DEFERRAL);
                }
                recipient = to;
            }

            @Override
            public String data(InputStream data) throws IOException, RejectException {
                ByteArrayOutputStream bytes = new ByteArrayOutputStream();
                data.transferTo(bytes);
                if (atData.contains(domainOf(recipient)) && !admit(domainOf(recipient))) {
                    throw new RejectException(421, DEFERRAL);
                }
                Matcher delivery = DELIVERY.matcher(bytes.toString(StandardCharsets.US_ASCII));
                accepted.add(new Accepted(delivery.find() ? Long.parseLong(delivery.group(1)) : 0, recipient,
                        System.currentTimeMillis()));
                return null;
            }
        };
    }
}
