package io.agentflow.cli.loadgen;

import java.io.IOException;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * What the measured part of a run cost, per message: this JVM's CPU time (all its threads: ours or jnats', the load
 * generator's own small share and the collector's included, the JIT compiler's not), the local nats-server's CPU
 * time when its process is known, bytes allocated by threads alive at the window's end, and young collections. Two snapshots bracket the
 * measured window; these figures move far less from run to run than latency percentiles on a shared machine, so they
 * are what the perf gate compares.
 * <p>
 * Why the JIT is left out: runs in one invocation share a JVM, and whichever runs first compiles the code both use
 * (jnats' above all) while it is measured; a profile of the default load had the C2 compiler at 7% of the first run's
 * samples and under 1% of the second's. The compiler's CPU is reported on its own ({@code jit_cpu_us_per_message}).
 */
final class CostMeter
{
    private static final long CLOCK_TICK_NANOS = 10_000_000;   // USER_HZ is 100 on Linux for every arch we run

    private final long[] serverPids;   // empty: unknown; several: the nodes of a local cluster, added up
    private Snapshot start;
    private Map<String, Long> jitStart;
    private Map<Long, Long> allocatedStart;

    /** One reading of every counter. */
    record Snapshot(long messages, long clientCpuNanos, long serverCpuNanos, long youngGcs)
    {
    }

    /** The measured window's figures; server CPU is -1 when not measured. */
    record Costs(long messages, long clientCpuNanos, long serverCpuNanos, long allocatedBytes, long youngGcs,
        long jitCpuNanos)
    {
        static final Costs NONE = new Costs(0, 0, -1, 0, 0, 0);

        double jitCpuUsPerMessage()
        {
            return jitCpuNanos / 1e3 / Math.max(1, messages);
        }

        double clientCpuUsPerMessage()
        {
            return clientCpuNanos / 1e3 / Math.max(1, messages);
        }

        double serverCpuUsPerMessage()
        {
            return serverCpuNanos < 0 ? -1 : serverCpuNanos / 1e3 / Math.max(1, messages);
        }

        double allocatedBytesPerMessage()
        {
            return allocatedBytes / (double)Math.max(1, messages);
        }
    }

    CostMeter(final long[] serverPids)
    {
        this.serverPids = serverPids.clone();
    }

    void start(final long messages)
    {
        jitStart = compilerThreadsCpuNanos();
        allocatedStart = allocatedBytesByThread();
        start = read(messages);
    }

    boolean started()
    {
        return null != start;
    }

    /** @return the costs since {@link #start}; {@link Costs#NONE} when the window never began. */
    Costs stop(final long messages)
    {
        if (null == start)
        {
            return Costs.NONE;
        }
        final Snapshot end = read(messages);
        long jit = 0;
        for (final Map.Entry<String, Long> thread : compilerThreadsCpuNanos().entrySet())
        {
            jit += Math.max(0, thread.getValue() - jitStart.getOrDefault(thread.getKey(), 0L));
        }
        return new Costs(end.messages - start.messages, end.clientCpuNanos - start.clientCpuNanos - jit,
            start.serverCpuNanos >= 0 && end.serverCpuNanos >= 0
                ? end.serverCpuNanos - start.serverCpuNanos : -1,
            allocatedSince(allocatedStart), end.youngGcs - start.youngGcs, jit);
    }

    private Snapshot read(final long messages)
    {
        return new Snapshot(messages, processCpuNanos(), serverCpuNanos(serverPids), youngGcs());
    }

    private static long processCpuNanos()
    {
        final java.lang.management.OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
        return os instanceof com.sun.management.OperatingSystemMXBean
            ? ((com.sun.management.OperatingSystemMXBean)os).getProcessCpuTime() : 0;
    }

    /** @return utime + stime of the processes {@code pids} from /proc, or -1 when there are none or one is unread. */
    static long serverCpuNanos(final long[] pids)
    {
        long sum = 0;
        for (final long pid : pids)
        {
            final long n = pid <= 0 ? -1 : cpuNanos(Path.of("/proc", Long.toString(pid), "stat"));
            if (n < 0)
            {
                return -1;
            }
            sum += n;
        }
        return 0 == pids.length ? -1 : sum;
    }

    /** @return utime + stime from a /proc {@code stat} file, or -1 when it cannot be read. */
    private static long cpuNanos(final Path stat)
    {
        try
        {
            final String line = Files.readString(stat);
            // fields after the command, which is in parentheses and may hold spaces: state is field 3, utime 14
            final String[] f = line.substring(line.lastIndexOf(')') + 2).split(" ");
            return (Long.parseLong(f[11]) + Long.parseLong(f[12])) * CLOCK_TICK_NANOS;
        }
        catch (final IOException | RuntimeException ex)
        {
            return -1;
        }
    }

    /** @return CPU time of this JVM's JIT compiler threads by thread id (empty where /proc cannot be read). */
    private static Map<String, Long> compilerThreadsCpuNanos()
    {
        final Map<String, Long> cpu = new HashMap<>();
        try (DirectoryStream<Path> tasks = Files.newDirectoryStream(Path.of("/proc/self/task")))
        {
            for (final Path task : tasks)
            {
                final String name = Files.readString(task.resolve("comm")).trim();
                if (name.startsWith("C1 CompilerThre") || name.startsWith("C2 CompilerThre"))
                {
                    final long nanos = cpuNanos(task.resolve("stat"));
                    if (nanos >= 0)
                    {
                        cpu.put(task.getFileName().toString(), nanos);
                    }
                }
            }
        }
        catch (final IOException | RuntimeException ex)
        {
            // a thread that ended between the listing and the read, or no /proc: count what was read
        }
        return cpu;
    }

    /** @return bytes allocated so far by each live thread, by thread id (empty where the JVM cannot tell). */
    static Map<Long, Long> allocatedBytesByThread()
    {
        final Map<Long, Long> bytes = new HashMap<>();
        final java.lang.management.ThreadMXBean bean = ManagementFactory.getThreadMXBean();
        if (bean instanceof com.sun.management.ThreadMXBean)
        {
            final com.sun.management.ThreadMXBean sun = (com.sun.management.ThreadMXBean)bean;
            final long[] ids = sun.getAllThreadIds();
            final long[] allocated = sun.getThreadAllocatedBytes(ids);
            for (int i = 0; i < ids.length; i++)
            {
                if (allocated[i] >= 0)
                {
                    bytes.put(ids[i], allocated[i]);
                }
            }
        }
        return bytes;
    }

    /**
     * @return what threads alive now allocated since {@code before} (a thread started since counts from 0). A thread
     * that ended in between is not counted: an undercount, never a negative.
     */
    static long allocatedSince(final Map<Long, Long> before)
    {
        long sum = 0;
        for (final Map.Entry<Long, Long> thread : allocatedBytesByThread().entrySet())
        {
            sum += Math.max(0, thread.getValue() - before.getOrDefault(thread.getKey(), 0L));
        }
        return sum;
    }

    /** Collections of the young generation (G1 Young, Parallel Scavenge, Serial Copy, ZGC Minor). */
    private static long youngGcs()
    {
        long n = 0;
        for (final GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans())
        {
            final String name = gc.getName();
            if (name.contains("Young") || name.contains("Scavenge") || name.contains("Copy")
                || name.contains("Minor"))
            {
                n += Math.max(0, gc.getCollectionCount());
            }
        }
        return n;
    }

    /** @return collections of every collector so far. */
    static long gcCount()
    {
        long n = 0;
        for (final GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans())
        {
            n += Math.max(0, gc.getCollectionCount());
        }
        return n;
    }

    /** @return milliseconds in collections of every collector so far. */
    static long gcMillis()
    {
        long n = 0;
        for (final GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans())
        {
            n += Math.max(0, gc.getCollectionTime());
        }
        return n;
    }
}
