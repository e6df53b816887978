package dev.herald.bench;

import java.nio.file.Path;

/** The command-line options the bench tools share. */
record Options(long customers, long pushCustomers, Path jar, int port, Path out, String database, int smtpConnections,
        boolean jfr) {

    static Options parse(String[] args, long defaultCustomers, int defaultPort) {
        long customers = defaultCustomers;
        Path jar = Path.of("target/quarkus-app/quarkus-run.jar");
        int port = defaultPort;
        Path out = Path.of("bench/out");
        // On 2 cores more connections than cores did not send faster and made lookups slower (README).
        int connections = 2;
        boolean jfr = false;
        Long pushCustomers = null;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--customers" -> customers = Long.parseLong(args[++i].replace("_", ""));
                case "--jar" -> jar = Path.of(args[++i]);
                case "--port" -> port = Integer.parseInt(args[++i]);
                case "--out" -> out = Path.of(args[++i]);
                case "--smtp-connections" -> connections = Integer.parseInt(args[++i]);
                case "--push-customers" -> pushCustomers = Long.parseLong(args[++i].replace("_", ""));
                case "--jfr" -> jfr = true;
                default -> throw new IllegalArgumentException("unknown option " + args[i] + "; options: --customers N"
                        + " --push-customers N --jar PATH --port N --out DIR --smtp-connections N --jfr");
            }
        }
        // Customers with a push device, the first ones: a tenth by default, so that push adds minutes, not hours.
        long withDevice = Math.min(customers, pushCustomers != null ? pushCustomers : Math.min(customers / 10, 100_000));
        return new Options(customers, withDevice, jar, port, out, "herald_bench", connections, jfr);
    }
}
