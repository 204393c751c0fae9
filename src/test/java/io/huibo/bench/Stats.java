package io.huibo.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/** Latency samples and process CPU/RSS readings shared by the load generator and the suite. */
final class Stats {
    private long[] micros = new long[1 << 14];
    private int n;

    synchronized void add(long valueMicros) {
        if (n == micros.length) {
            micros = Arrays.copyOf(micros, n * 2);
        }
        micros[n++] = valueMicros;
    }

    synchronized int count() {
        return n;
    }

    /** Percentile in milliseconds (nearest rank), 0 when there are no samples. */
    synchronized double pctMillis(double p) {
        if (n == 0) {
            return 0;
        }
        long[] sorted = Arrays.copyOf(micros, n);
        Arrays.sort(sorted);
        int idx = (int) Math.ceil(p / 100.0 * n) - 1;
        return sorted[Math.max(0, Math.min(n - 1, idx))] / 1000.0;
    }

    /** utime + stime of a process in clock ticks (USER_HZ, 100 on Linux), or -1 when it is gone. */
    static long cpuTicks(long pid) {
        try {
            return ticksOf(Files.readString(Path.of("/proc", Long.toString(pid), "stat")));
        } catch (Exception e) {
            return -1;
        }
    }

    /**
     * utime+stime of the threads of a JVM whose name starts with one of the prefixes (e.g. the JIT
     * compiler threads "C1 CompilerThre"/"C2 CompilerThre", or "VM Thread" where the serial collector
     * runs), or -1. A thread that ended between two samples takes its CPU with it, so this is a floor.
     */
    static long threadTicks(long pid, String... prefixes) {
        long sum = 0;
        try (var tasks = Files.list(Path.of("/proc", Long.toString(pid), "task"))) {
            for (Path t : (Iterable<Path>) tasks::iterator) {
                try {
                    String stat = Files.readString(t.resolve("stat"));
                    String comm = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
                    for (String p : prefixes) {
                        if (comm.startsWith(p)) {
                            sum += ticksOf(stat);
                            break;
                        }
                    }
                } catch (Exception gone) {
                    // the thread ended while we listed them
                }
            }
            return sum;
        } catch (Exception e) {
            return -1;
        }
    }

    private static long ticksOf(String stat) {
        // the command name may hold spaces: fields are counted after its closing parenthesis
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(f[11]) + Long.parseLong(f[12]);
    }

    /** Resident set size in MiB, or -1. */
    static double rssMiB(long pid) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024.0;
                }
            }
        } catch (Exception e) {
            // gone
        }
        return -1;
    }

    static final double TICKS_PER_SECOND = 100.0;
}
