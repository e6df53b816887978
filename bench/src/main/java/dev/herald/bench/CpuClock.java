package dev.herald.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * CPU seconds used so far by a process, and by the whole PostgreSQL server (its postmaster, the
 * backends it has reaped and those alive), read from /proc: where the machine's time goes during a run.
 */
final class CpuClock {

    private static final double TICKS_PER_SECOND = 100.0;

    private CpuClock() {
    }

    /** User and system time of one process, in seconds. */
    static double process(long pid) {
        long[] fields = stat(pid);
        return (fields[13] + fields[14]) / TICKS_PER_SECOND;
    }

    /**
     * CPU seconds of a process's threads so far, by thread name with its numbers dropped ("email-senders",
     * "C2 CompilerThread", "GC Thread"): which part of Herald a send's CPU went to, GC and JIT included.
     */
    static Map<String, Double> threads(long pid) {
        Map<String, Double> seconds = new TreeMap<>();
        try (Stream<Path> tasks = Files.list(Path.of("/proc", String.valueOf(pid), "task"))) {
            for (Path task : (Iterable<Path>) tasks::iterator) {
                try {
                    String text = Files.readString(task.resolve("stat"));
                    String name = text.substring(text.indexOf('(') + 1, text.lastIndexOf(')'))
                            .replaceAll("[-#]?\\d+", "").strip();
                    long[] fields = fields(text);
                    seconds.merge(name, (fields[13] + fields[14]) / TICKS_PER_SECOND, Double::sum);
                } catch (IOException | RuntimeException ended) {
                    // the thread ended while it was read
                }
            }
        } catch (IOException e) {
            return seconds;
        }
        return seconds;
    }

    /** PostgreSQL's CPU seconds, or NaN when its postmaster cannot be found. */
    static double postgres() {
        try (Stream<Path> pids = Files.list(Path.of("/var/run/postgresql"))) {
            Path pidFile = pids.filter(p -> p.getFileName().toString().endsWith(".pid")).findFirst().orElse(null);
            if (pidFile == null) {
                return Double.NaN;
            }
            long postmaster = Long.parseLong(Files.readAllLines(pidFile).get(0).strip());
            long[] own = stat(postmaster);
            long ticks = own[13] + own[14] + own[15] + own[16];
            try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
                for (Path proc : (Iterable<Path>) procs::iterator) {
                    String name = proc.getFileName().toString();
                    if (name.chars().allMatch(Character::isDigit)) {
                        long[] child = stat(Long.parseLong(name));
                        if (child.length > 3 && child[3] == postmaster) {
                            ticks += child[13] + child[14];
                        }
                    }
                }
            }
            return ticks / TICKS_PER_SECOND;
        } catch (IOException | RuntimeException e) {
            return Double.NaN;
        }
    }

    /** The numeric fields of /proc/PID/stat, indexed as in proc(5) minus one; empty when the process is gone. */
    private static long[] stat(long pid) {
        try {
            return fields(Files.readString(Path.of("/proc", String.valueOf(pid), "stat")));
        } catch (IOException e) {
            return new long[0];
        }
    }

    private static long[] fields(String stat) {
        String[] parts = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        long[] fields = new long[parts.length + 2];
        for (int i = 0; i < parts.length; i++) {
            try {
                fields[i + 2] = Long.parseLong(parts[i]);
            } catch (NumberFormatException notNumeric) {
                fields[i + 2] = 0;
            }
        }
        return fields;
    }
}
