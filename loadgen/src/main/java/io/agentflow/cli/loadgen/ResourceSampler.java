package io.agentflow.cli.loadgen;

import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * For {@code loadgen --soak}: every interval, the heap after a full collection, the live threads and the open
 * subscriptions. A leak shows as growth between the middle and the last third of the run (the first third is
 * left for warm-up and for the embedded transport's retention to fill up). The forced collections pause the
 * run, so a soak's latency figures are not comparable with a plain run's.
 */
final class ResourceSampler implements AutoCloseable
{
    /** Heap may grow this much (fraction) or {@link #HEAP_SLACK_BYTES}, whichever is more, and still be flat. */
    static final double HEAP_GROWTH_ALLOWED = 0.10;
    static final long HEAP_SLACK_BYTES = 16L << 20;
    static final int THREAD_SLACK = 2;

    record Sample(double seconds, long heapAfterGcBytes, int threads, long subscriptions)
    {
    }

    private final long intervalNanos;
    private final List<Sample> samples = new ArrayList<>();
    private final Thread thread;
    private final long start = System.nanoTime();

    ResourceSampler(final long intervalNanos)
    {
        this.intervalNanos = intervalNanos;
        this.thread = new Thread(this::run, "loadgen-soak-sampler");
        this.thread.setDaemon(true);
    }

    ResourceSampler start()
    {
        thread.start();
        return this;
    }

    private void run()
    {
        try
        {
            while (!Thread.currentThread().isInterrupted())
            {
                TimeUnit.NANOSECONDS.sleep(intervalNanos);
                sample();
            }
        }
        catch (final InterruptedException ex)
        {
            // closed
        }
    }

    private void sample()
    {
        System.gc();
        final Sample s = new Sample((System.nanoTime() - start) / 1e9,
            ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed(),
            ManagementFactory.getThreadMXBean().getThreadCount(), openSubscriptions());
        synchronized (samples)
        {
            samples.add(s);
        }
    }

    private static long openSubscriptions()
    {
        return PrometheusRegistry.defaultRegistry.scrape(name -> name.equals("agentflow_subscriptions_open"))
            .stream().filter(GaugeSnapshot.class::isInstance).map(GaugeSnapshot.class::cast)
            .flatMap(g -> g.getDataPoints().stream()).mapToLong(d -> (long)d.getValue()).sum();
    }

    List<Sample> samples()
    {
        synchronized (samples)
        {
            return List.copyOf(samples);
        }
    }

    /** @return the verdict and the figures it rests on, for summary.json. */
    Map<String, Object> verdict()
    {
        final List<Sample> all = samples();
        final Map<String, Object> v = new LinkedHashMap<>();
        v.put("samples", all.size());
        if (all.size() < 6)
        {
            v.put("flat", false);
            v.put("reason", "too few samples for a verdict (need 6): run longer or sample more often");
            return v;
        }
        final int third = all.size() / 3;
        final List<Sample> middle = all.subList(third, 2 * third);
        final List<Sample> last = all.subList(2 * third, all.size());
        final long heapMiddle = middle.stream().mapToLong(Sample::heapAfterGcBytes).max().orElseThrow();
        final long heapLast = last.stream().mapToLong(Sample::heapAfterGcBytes).max().orElseThrow();
        final int threadsMiddle = middle.stream().mapToInt(Sample::threads).max().orElseThrow();
        final int threadsLast = last.stream().mapToInt(Sample::threads).max().orElseThrow();
        final long subsMiddle = middle.stream().mapToLong(Sample::subscriptions).max().orElseThrow();
        final long subsLast = last.stream().mapToLong(Sample::subscriptions).max().orElseThrow();
        final boolean heapFlat = heapLast <= heapMiddle + Math.max((long)(heapMiddle * HEAP_GROWTH_ALLOWED),
            HEAP_SLACK_BYTES);
        final boolean threadsFlat = threadsLast <= threadsMiddle + THREAD_SLACK;
        final boolean subsFlat = subsLast == subsMiddle;
        v.put("heap_after_gc_mib_middle_third_max", heapMiddle >> 20);
        v.put("heap_after_gc_mib_last_third_max", heapLast >> 20);
        v.put("threads_middle_third_max", threadsMiddle);
        v.put("threads_last_third_max", threadsLast);
        v.put("subscriptions_middle_third_max", subsMiddle);
        v.put("subscriptions_last_third_max", subsLast);
        v.put("flat", heapFlat && threadsFlat && subsFlat);
        v.put("rule", "last third's max within max(10%, 16 MiB) of the middle third's for heap after GC, "
            + "+2 threads, equal subscriptions");
        return v;
    }

    /** Writes {@code resources.csv}: one line per sample. */
    void write(final Path dir) throws IOException
    {
        final StringBuilder csv = new StringBuilder("seconds,heap_after_gc_bytes,threads,subscriptions\n");
        for (final Sample s : samples())
        {
            csv.append(String.format("%.1f,%d,%d,%d%n", s.seconds(), s.heapAfterGcBytes(), s.threads(),
                s.subscriptions()));
        }
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("resources.csv"), csv);
    }

    @Override
    public void close() throws InterruptedException
    {
        thread.interrupt();
        thread.join(TimeUnit.SECONDS.toMillis(30));
    }
}
