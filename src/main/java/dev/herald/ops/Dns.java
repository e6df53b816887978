package dev.herald.ops;

import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import jakarta.enterprise.context.ApplicationScoped;

import org.xbill.DNS.DClass;
import org.xbill.DNS.ExtendedResolver;
import org.xbill.DNS.MXRecord;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Resolver;
import org.xbill.DNS.ResolverConfig;
import org.xbill.DNS.Section;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.TXTRecord;
import org.xbill.DNS.TextParseException;
import org.xbill.DNS.Type;

/**
 * TXT and MX lookups through dnsjava, which, unlike the JDK's resolver, tells an answer that there is
 * nothing (NXDOMAIN, no records of the type) from a failure to get one (SERVFAIL, a timeout): the first
 * means a record is missing, the second only that DNS could not say.
 */
@ApplicationScoped
public class Dns {

    /** What DNS said about one name and type. */
    public enum Outcome {
        FOUND, NONE, FAILED
    }

    /** The records' values (a TXT record's strings joined; an MX as "priority host"), or why there are none. */
    public record Answer(String name, String type, Outcome outcome, List<String> values, String failure) {

        static Answer failed(String name, String type, String why) {
            return new Answer(name, type, Outcome.FAILED, List.of(), why);
        }
    }

    private final Resolver resolver;
    private final String resolverName;
    private final Duration timeout;

    public Dns(DnsConfig config) {
        this.timeout = config.timeout();
        if (config.resolver().filter(r -> !r.isBlank()).isPresent()) {
            String address = config.resolver().get().trim();
            SimpleResolver simple = simpleResolver(address);
            simple.setTimeout(timeout);
            this.resolver = simple;
            this.resolverName = address;
        } else {
            ExtendedResolver system = new ExtendedResolver();
            for (Resolver each : system.getResolvers()) {
                each.setTimeout(timeout);
            }
            system.setTimeout(timeout);
            system.setRetries(1);
            this.resolver = system;
            this.resolverName = "the system's resolvers " + ResolverConfig.getCurrentConfig().servers();
        }
    }

    /** The resolver asked, as people configure it. */
    public String resolverName() {
        return resolverName;
    }

    /** The lookup, under way: it completes, never exceptionally, within about the timeout. */
    public CompletableFuture<Answer> lookup(String name, int type) {
        String typeName = Type.string(type);
        Message query;
        try {
            query = Message.newQuery(Record.newRecord(Name.fromString(name.endsWith(".") ? name : name + "."), type, DClass.IN));
        } catch (TextParseException e) {
            return CompletableFuture.completedFuture(Answer.failed(name, typeName, "'" + name + "' is not a DNS name"));
        }
        return resolver.sendAsync(query).toCompletableFuture()
                .orTimeout(timeout.toMillis() * 2 + 500, TimeUnit.MILLISECONDS)
                .handle((response, error) -> error != null
                        ? Answer.failed(name, typeName, "no answer from " + resolverName + " within " + timeout.toMillis()
                                + " ms (" + rootCause(error) + ")")
                        : answer(name, type, response));
    }

    private Answer answer(String name, int type, Message response) {
        String typeName = Type.string(type);
        int rcode = response.getRcode();
        if (rcode == Rcode.NXDOMAIN) {
            return new Answer(name, typeName, Outcome.NONE, List.of(), "no such name (NXDOMAIN)");
        }
        if (rcode != Rcode.NOERROR) {
            return Answer.failed(name, typeName, Rcode.string(rcode) + " from " + resolverName);
        }
        List<String> values = new ArrayList<>();
        // A CNAME chain's target records are in the answer too (a relay's DKIM key is often a CNAME to it).
        for (Record record : response.getSection(Section.ANSWER)) {
            if (record instanceof TXTRecord txt && type == Type.TXT) {
                values.add(String.join("", txt.getStrings()));
            } else if (record instanceof MXRecord mx && type == Type.MX) {
                values.add(mx.getPriority() + " " + mx.getTarget());
            }
        }
        return values.isEmpty() ? new Answer(name, typeName, Outcome.NONE, List.of(), "no " + typeName + " records")
                : new Answer(name, typeName, Outcome.FOUND, List.copyOf(values), null);
    }

    private static SimpleResolver simpleResolver(String address) {
        String host = address;
        int port = SimpleResolver.DEFAULT_PORT;
        try {
            if (address.startsWith("[") && address.contains("]")) {
                host = address.substring(1, address.indexOf(']'));
                String rest = address.substring(address.indexOf(']') + 1);
                port = rest.isEmpty() ? port : Integer.parseInt(rest.substring(1));
            } else if (address.indexOf(':') > 0 && address.indexOf(':') == address.lastIndexOf(':')) {
                host = address.substring(0, address.indexOf(':'));
                port = Integer.parseInt(address.substring(address.indexOf(':') + 1));
            }
            SimpleResolver resolver = new SimpleResolver(host);
            resolver.setPort(port);
            return resolver;
        } catch (IllegalArgumentException | StringIndexOutOfBoundsException | UnknownHostException e) {
            throw new IllegalStateException("herald.dns.resolver '" + address + "' is not host[:port] of a DNS resolver", e);
        }
    }

    private static String rootCause(Throwable error) {
        Throwable cause = error;
        while (cause.getCause() != null && cause.getCause() != cause) {
            cause = cause.getCause();
        }
        return cause.getClass().getSimpleName() + (cause.getMessage() == null ? "" : ": " + cause.getMessage());
    }
}
