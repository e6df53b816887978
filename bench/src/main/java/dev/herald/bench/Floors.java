package dev.herald.bench;

import java.io.BufferedOutputStream;
import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.Reader;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import jakarta.mail.Address;
import jakarta.mail.Session;
import jakarta.mail.Transport;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.InternetHeaders;
import jakarta.mail.internet.MimeBodyPart;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;

import org.postgresql.PGConnection;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.DefaultConsumer;
import com.rabbitmq.client.Envelope;

import dev.herald.standin.FcmStandIn;

/**
 * What no implementation can beat on this machine: the same amount of work done by the plainest
 * code, on the same services. Each returns the seconds it took.
 */
final class Floors {

    private Floors() {
    }

    /** COPY of N rows shaped like a delivery row into PostgreSQL. */
    static double copy(String jdbcUrl, long n) throws Exception {
        try (Connection db = DriverManager.getConnection(jdbcUrl, "herald", "herald");
                Statement statement = db.createStatement()) {
            statement.execute("CREATE TEMP TABLE floor_copy (notice_id bigint, id bigint, customer_id text,"
                    + " channel delivery_channel, status delivery_status, destination text)");
            long start = System.nanoTime();
            db.unwrap(PGConnection.class).getCopyAPI().copyIn(
                    "COPY floor_copy FROM STDIN", new RowReader(n));
            return (System.nanoTime() - start) / 1e9;
        }
    }

    /**
     * COPY of the same N customers the import sent, into a table shaped like the customer table (same
     * primary key), as the floor of importing them.
     */
    static double importCopy(String jdbcUrl, long n, long withDevice) throws Exception {
        return timedInScratchTable(jdbcUrl, "floor_customer", "LIKE customer INCLUDING ALL", "", db -> {
            try (Statement statement = db.createStatement()) {
                statement.execute("CREATE TEMP TABLE floor_device (LIKE device INCLUDING ALL)");
            }
            db.unwrap(PGConnection.class).getCopyAPI().copyIn("COPY floor_customer"
                    + " (id, email, display_name, locale, country, region, tags, attributes) FROM STDIN",
                    new CustomerGenerator(n, withDevice, CustomerGenerator.Format.COPY));
            db.unwrap(PGConnection.class).getCopyAPI().copyIn("COPY floor_device"
                    + " (customer_id, platform, app_id, token, sandbox) FROM STDIN",
                    new CustomerGenerator(n, withDevice, CustomerGenerator.Format.DEVICE_COPY));
        });
    }

    /**
     * The plainest FCM client: N messages shaped like Herald's, POSTed to the same stand-in with as
     * many in flight as Herald's push senders keep, with a token fetched once.
     */
    static double push(FcmStandIn fcm, long n, int inFlight) throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        String token = fcm.accessToken();
        URI uri = URI.create(fcm.endpoint() + "/v1/projects/" + FcmStandIn.PROJECT + "/messages:send");
        Semaphore window = new Semaphore(inFlight);
        List<Exception> failures = new CopyOnWriteArrayList<>();
        long start = System.nanoTime();
        for (long i = 0; i < n; i++) {
            String body = "{\"message\":{\"token\":\"floor-" + i + "\",\"notification\":{\"title\":\"Security notice"
                    + " about your account\",\"body\":\"We have sent you an important message about a security incident."
                    + " Open the Example app or your email to read it.\"},\"data\":{\"heraldNotice\":\"1\","
                    + "\"heraldDelivery\":\"" + i + "\"},\"android\":{\"priority\":\"HIGH\",\"ttl\":\"86400s\","
                    + "\"collapseKey\":\"floor\"}}}";
            window.acquire();
            http.sendAsync(HttpRequest.newBuilder(uri).header("Authorization", "Bearer " + token)
                    .header("Content-Type", "application/json; charset=UTF-8")
                    .POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                    HttpResponse.BodyHandlers.ofString())
                    .whenComplete((response, error) -> {
                        if (error != null || response.statusCode() != 200) {
                            failures.add(new IllegalStateException("push floor: " + (error != null ? error : response.body())));
                        }
                        window.release();
                    });
        }
        window.acquire(inFlight);
        if (!failures.isEmpty()) {
            throw failures.get(0);
        }
        return (System.nanoTime() - start) / 1e9;
    }

    /**
     * One plain INSERT … SELECT of a delivery per customer into a table shaped like the delivery table
     * (same indexes and fill factor): the floor of planning a notice to every customer.
     */
    static double plan(String jdbcUrl) throws Exception {
        return timedInScratchTable(jdbcUrl, "floor_delivery", "LIKE delivery INCLUDING ALL", "WITH (fillfactor = 85)",
                db -> db.createStatement().execute("INSERT INTO floor_delivery"
                        + " (notice_id, id, customer_id, channel, status, destination)"
                        + " SELECT 0, row_number() OVER (), id, 'EMAIL', 'PENDING', email FROM customer"));
    }

    private interface Work {
        void run(Connection db) throws Exception;
    }

    /** Seconds the work takes on a table made for it (a regular table: WAL-logged like Herald's) and dropped after. */
    private static double timedInScratchTable(String jdbcUrl, String table, String shape, String options, Work work)
            throws Exception {
        try (Connection db = DriverManager.getConnection(jdbcUrl, "herald", "herald");
                Statement statement = db.createStatement()) {
            statement.execute("DROP TABLE IF EXISTS " + table);
            statement.execute("CREATE TABLE " + table + " (" + shape + ") " + options);
            try {
                long start = System.nanoTime();
                work.run(db);
                return (System.nanoTime() - start) / 1e9;
            } finally {
                statement.execute("DROP TABLE " + table);
            }
        }
    }

    /** Publishing N/batch messages of the batch size with publisher confirms, and consuming them. */
    static double broker(long messages, int bodyBytes) throws Exception {
        ConnectionFactory factory = new ConnectionFactory();
        factory.setHost("127.0.0.1");
        try (com.rabbitmq.client.Connection connection = factory.newConnection();
                Channel publish = connection.createChannel(); Channel consume = connection.createChannel()) {
            String queue = publish.queueDeclare("", false, true, true, null).getQueue();
            publish.confirmSelect();
            consume.basicQos(20);
            CountDownLatch done = new CountDownLatch(1);
            AtomicLong received = new AtomicLong();
            byte[] body = new byte[bodyBytes];
            Arrays.fill(body, (byte) '7');
            long start = System.nanoTime();
            consume.basicConsume(queue, false, new DefaultConsumer(consume) {
                @Override
                public void handleDelivery(String tag, Envelope envelope, AMQP.BasicProperties properties, byte[] b)
                        throws java.io.IOException {
                    consume.basicAck(envelope.getDeliveryTag(), false);
                    if (received.incrementAndGet() == messages) {
                        done.countDown();
                    }
                }
            });
            for (long i = 0; i < messages; i++) {
                publish.basicPublish("", queue, null, body);
                if (i % 100 == 99) {
                    publish.waitForConfirmsOrDie(30_000);
                }
            }
            publish.waitForConfirmsOrDie(30_000);
            if (!done.await(10, TimeUnit.MINUTES)) {
                throw new IllegalStateException("Broker floor: consumed " + received + " of " + messages);
            }
            return (System.nanoTime() - start) / 1e9;
        }
    }

    /**
     * Sending N ready-made messages of the given size over the given number of reused connections, with
     * Jakarta Mail's one command per round trip (four a message).
     */
    static double smtp(int port, long n, int connections, int messageBytes) throws Exception {
        Properties properties = new Properties();
        properties.put("mail.smtp.host", "127.0.0.1");
        properties.put("mail.smtp.port", String.valueOf(port));
        properties.put("mail.smtp.quitwait", "false");
        Session session = Session.getInstance(properties);
        MimeMessage message = message(session, messageBytes);
        return onConnections(n, connections, next -> {
            try (Transport transport = session.getTransport("smtp")) {
                transport.connect();
                for (long i = next.getAndIncrement(); i < n; i = next.getAndIncrement()) {
                    transport.sendMessage(message, new Address[] { new InternetAddress("floor-" + i + "@floor.example") });
                }
            }
        });
    }

    /**
     * The same with RFC 2920 pipelining on a bare socket: MAIL FROM, RCPT TO and DATA in one write and
     * their three replies read together, then the message and its dot; two round trips a message.
     */
    static double smtpPipelined(int port, long n, int connections, int messageBytes) throws Exception {
        ByteArrayOutputStream composed = new ByteArrayOutputStream();
        message(Session.getInstance(new Properties()), messageBytes).writeTo(composed);
        String text = composed.toString(StandardCharsets.US_ASCII);
        // Base64 parts and headers: no line starts with a dot, so nothing needs stuffing.
        byte[] body = (text + (text.endsWith("\r\n") ? ".\r\n" : "\r\n.\r\n")).getBytes(StandardCharsets.US_ASCII);
        return onConnections(n, connections, next -> {
            try (Socket socket = new Socket("127.0.0.1", port)) {
                socket.setTcpNoDelay(true);
                BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII));
                OutputStream out = new BufferedOutputStream(socket.getOutputStream(), 1 << 16);
                reply(in, "220");
                out.write("EHLO floor\r\n".getBytes(StandardCharsets.US_ASCII));
                out.flush();
                reply(in, "250");
                for (long i = next.getAndIncrement(); i < n; i = next.getAndIncrement()) {
                    out.write(("MAIL FROM:<floor@herald.example>\r\nRCPT TO:<floor-" + i + "@floor.example>\r\nDATA\r\n")
                            .getBytes(StandardCharsets.US_ASCII));
                    out.flush();
                    reply(in, "250");
                    reply(in, "250");
                    reply(in, "354");
                    out.write(body);
                    out.flush();
                    reply(in, "250");
                }
                out.write("QUIT\r\n".getBytes(StandardCharsets.US_ASCII));
                out.flush();
            }
        });
    }

    /** One SMTP reply, its last line the one without a dash after the code; fails unless it has the code. */
    private static void reply(BufferedReader in, String code) throws IOException {
        String line;
        do {
            line = in.readLine();
            if (line == null || !line.startsWith(code)) {
                throw new IOException("The sink answered " + line + " where " + code + " was due");
            }
        } while (line.length() > 3 && line.charAt(3) == '-');
    }

    /** What one connection does with the shared counter of messages sent. */
    private interface Sender {
        void send(AtomicLong next) throws Exception;
    }

    /** The seconds the connections take to send the n messages between them. */
    private static double onConnections(long n, int connections, Sender sender) throws Exception {
        List<Thread> threads = new ArrayList<>();
        AtomicLong next = new AtomicLong();
        List<Exception> failures = new CopyOnWriteArrayList<>();
        long start = System.nanoTime();
        for (int c = 0; c < connections; c++) {
            Thread thread = new Thread(() -> {
                try {
                    sender.send(next);
                } catch (Exception e) {
                    failures.add(e);
                }
            });
            thread.start();
            threads.add(thread);
        }
        for (Thread thread : threads) {
            thread.join();
        }
        if (!failures.isEmpty()) {
            throw failures.get(0);
        }
        return (System.nanoTime() - start) / 1e9;
    }

    private static MimeMessage message(Session session, int bytes) throws Exception {
        MimeMessage message = new MimeMessage(session);
        message.setFrom(new InternetAddress("floor@herald.example"));
        message.setRecipient(MimeMessage.RecipientType.TO, new InternetAddress("floor@floor.example"));
        message.setSubject("Important: a security incident involving your account", "UTF-8");
        // Two base64 parts, like Herald's, together about the size of Herald's average message.
        int partBytes = Math.max(100, (bytes - 900) / 2 * 3 / 4);
        MimeMultipart body = new MimeMultipart("alternative", part("text/plain", partBytes), part("text/html", partBytes));
        message.setContent(body);
        message.saveChanges();
        return message;
    }

    private static MimeBodyPart part(String type, int bytes) throws Exception {
        InternetHeaders headers = new InternetHeaders();
        headers.setHeader("Content-Type", type + "; charset=UTF-8");
        headers.setHeader("Content-Transfer-Encoding", "base64");
        String sentence = "Your account data was involved in a security incident. ";
        byte[] text = sentence.repeat(bytes / sentence.length() + 1).substring(0, bytes).getBytes(StandardCharsets.UTF_8);
        return new MimeBodyPart(headers, java.util.Base64.getMimeEncoder().encode(text));
    }

    /** COPY text rows, made as they are read. */
    private static final class RowReader extends Reader {
        private final long n;
        private long row;
        private String current = "";
        private int position;

        RowReader(long n) {
            this.n = n;
        }

        @Override
        public int read(char[] buffer, int offset, int length) {
            if (position == current.length()) {
                if (row == n) {
                    return -1;
                }
                current = "1\t" + row + "\tcust-" + String.format("%09d", row) + "\tEMAIL\tPENDING\tcust-"
                        + String.format("%09d", row) + "@customers.example\n";
                position = 0;
                row++;
            }
            int count = Math.min(length, current.length() - position);
            current.getChars(position, position + count, buffer, offset);
            position += count;
            return count;
        }

        @Override
        public void close() {
        }
    }
}
