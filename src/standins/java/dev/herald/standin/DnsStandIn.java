package dev.herald.standin;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.MXRecord;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.OPTRecord;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.TXTRecord;
import org.xbill.DNS.TextParseException;
import org.xbill.DNS.Type;

/**
 * Stands in for a recursive DNS resolver where the real DNS cannot be reached: a UDP server on 127.0.0.1
 * and a free port answering TXT and MX queries from a zone held in memory, which a test changes as it
 * goes. A name it does not know is NXDOMAIN; a known name without records of the type asked is an empty
 * answer (NODATA). A name can be made to answer SERVFAIL, or nothing at all (the client times out).
 */
public final class DnsStandIn implements AutoCloseable {

    private static final long TTL = 300;

    private final DatagramSocket socket;
    private final Thread server;
    private final Map<String, List<Record>> zone = new ConcurrentHashMap<>();
    private final Set<String> failing = ConcurrentHashMap.newKeySet();
    private final Set<String> silent = ConcurrentHashMap.newKeySet();
    private final AtomicInteger queries = new AtomicInteger();

    public DnsStandIn() throws SocketException {
        socket = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        server = new Thread(this::serve, "dns-standin");
        server.setDaemon(true);
        server.start();
    }

    /** The address to point a resolver at: 127.0.0.1:port. */
    public String address() {
        return "127.0.0.1:" + socket.getLocalPort();
    }

    /** Herald pointed at this server. */
    public Map<String, String> configuration() {
        return Map.of("herald.dns.resolver", address());
    }

    /** Adds one TXT record per value at {@code name}; values longer than 255 characters are split into strings. */
    public DnsStandIn txt(String name, String... values) {
        for (String value : values) {
            List<String> strings = new ArrayList<>();
            for (int i = 0; i < value.length(); i += 255) {
                strings.add(value.substring(i, Math.min(value.length(), i + 255)));
            }
            add(name, new TXTRecord(name(name), DClass.IN, TTL, strings.isEmpty() ? List.of("") : strings));
        }
        return this;
    }

    public DnsStandIn mx(String name, int priority, String host) {
        add(name, new MXRecord(name(name), DClass.IN, TTL, priority, name(host)));
        return this;
    }

    /** Queries for {@code name} answer SERVFAIL, as a resolver does when the domain's servers fail. */
    public DnsStandIn servfail(String name) {
        failing.add(key(name));
        return this;
    }

    /** Queries for {@code name} get no answer at all: the client times out. */
    public DnsStandIn noAnswer(String name) {
        silent.add(key(name));
        return this;
    }

    /** Forgets every record of {@code name} and its simulated failures. */
    public DnsStandIn remove(String name) {
        zone.remove(key(name));
        failing.remove(key(name));
        silent.remove(key(name));
        return this;
    }

    public void clear() {
        zone.clear();
        failing.clear();
        silent.clear();
    }

    /** How many queries were received since the start. */
    public int queries() {
        return queries.get();
    }

    private void add(String name, Record record) {
        zone.computeIfAbsent(key(name), k -> new CopyOnWriteArrayList<>()).add(record);
    }

    private void serve() {
        byte[] buffer = new byte[4096];
        while (!socket.isClosed()) {
            DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
            try {
                socket.receive(packet);
                queries.incrementAndGet();
                Message query = new Message(java.util.Arrays.copyOf(packet.getData(), packet.getLength()));
                byte[] answer = answer(query);
                if (answer != null) {
                    socket.send(new DatagramPacket(answer, answer.length, packet.getSocketAddress()));
                }
            } catch (SocketException closed) {
                return;
            } catch (IOException | RuntimeException e) {
                // A query this stand-in cannot read is dropped, as a resolver would.
            }
        }
    }

    private byte[] answer(Message query) {
        Record question = query.getQuestion();
        String name = key(question.getName().toString());
        if (silent.contains(name)) {
            return null;
        }
        Message response = new Message(query.getHeader().getID());
        response.getHeader().setFlag(Flags.QR);
        response.getHeader().setFlag(Flags.RA);
        if (query.getHeader().getFlag(Flags.RD)) {
            response.getHeader().setFlag(Flags.RD);
        }
        response.addRecord(question, Section.QUESTION);
        OPTRecord edns = query.getOPT();
        if (failing.contains(name)) {
            response.getHeader().setRcode(Rcode.SERVFAIL);
        } else if (!exists(name)) {
            response.getHeader().setRcode(Rcode.NXDOMAIN);
        } else {
            for (Record record : zone.getOrDefault(name, List.of())) {
                if (record.getType() == question.getType() || question.getType() == Type.ANY) {
                    response.addRecord(record, Section.ANSWER);
                }
            }
        }
        if (edns != null) {
            response.addRecord(new OPTRecord(4096, 0, 0), Section.ADDITIONAL);
        }
        // Over UDP a client without EDNS gets 512 bytes at most (the answer marked truncated beyond that).
        return response.toWire(edns == null ? 512 : Math.max(512, Math.min(edns.getPayloadSize(), 4096)));
    }

    /** A name with records, or with names below it (an empty non-terminal such as _domainkey.example.com). */
    private boolean exists(String name) {
        if (zone.containsKey(name)) {
            return true;
        }
        for (String known : zone.keySet()) {
            if (known.endsWith("." + name)) {
                return true;
            }
        }
        return false;
    }

    private static Name name(String name) {
        try {
            return Name.fromString(key(name) + ".");
        } catch (TextParseException e) {
            throw new IllegalArgumentException("not a DNS name: " + name, e);
        }
    }

    private static String key(String name) {
        String lower = name.toLowerCase(Locale.ROOT);
        return lower.endsWith(".") ? lower.substring(0, lower.length() - 1) : lower;
    }

    @Override
    public void close() throws InterruptedException {
        socket.close();
        server.join(2_000);
    }
}
