package io.agentflow.jmh;

import com.lmax.disruptor.RingBuffer;
import com.lmax.disruptor.dsl.Disruptor;
import com.lmax.disruptor.dsl.ProducerType;
import com.lmax.disruptor.util.DaemonThreadFactory;
import io.agentflow.bus.BusConfig;
import io.agentflow.bus.DeliverySettings;
import io.agentflow.bus.EnvelopeHandler;
import io.agentflow.bus.Subscription;
import io.agentflow.bus.SubscriptionSpec;
import io.agentflow.bus.inprocess.InProcessBus;
import io.agentflow.bus.pipeline.PublishCallback;
import io.agentflow.bus.pipeline.PublishPipeline;
import io.agentflow.codec.Message;
import org.HdrHistogram.Histogram;

import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * In-process publish-to-handler latency at an offered rate, open loop: message k is due at
 * {@code start + k / rate}; whatever is due is published (claim, fill, commit) and the thread parks until the next
 * is due, so a stall delays the messages behind it and their wait counts (no coordinated omission). The handler
 * records {@code now - due} into an HdrHistogram after the warm-up, and beside it {@code now - claimed}, which
 * leaves out how late the publisher itself was (its parks overshoot by tens of microseconds on Linux). One agent's
 * inbox, so messages arrive in publish order and the k-th handled is the k-th due. JMH cannot offer a rate, hence
 * a plain main:
 * <pre>
 * java -cp jmh/target/benchmarks.jar io.agentflow.jmh.InProcessLatency [rate] [seconds] [warm-up seconds]
 *     [handler threads] [retention MiB] [wait strategy] [bus|floor|floor-work]
 * </pre>
 * {@code floor} runs the same schedule in the bus's shape without the bus: the publishing thread fills a slot of a
 * bare Disruptor ring and one consumer thread, with the same wait strategy, takes it; no envelope work at all: what
 * one hand-off costs on this machine, the floor under the bus's figures. {@code floor-work} adds the bus's memory
 * and hashing per message (the publisher copies 1409 bytes into a 64 MiB log and takes their SHA-256, the consumer
 * hashes them again), without the envelope: the fairer floor for the bus's tail.
 * <p>
 * The publisher's parks overshoot (Linux's default timer slack is 50 us, and this VM adds its own), so it publishes
 * in small bursts and "from due" carries its lateness; lowering its timer slack to 1 us through /proc kept the
 * schedule better but made "from claim" worse (more wake-ups), so it is left at the default (NOTES.md, session 6).
 */
public final class InProcessLatency
{
    private static final long BUDGET_NANOS = 100_000;   // issue 4's p99 budget

    private final int total;
    private final int warmup;
    private final long interval;
    private final long[] due;
    private final long[] sent;
    private final Histogram latency = new Histogram(TimeUnit.SECONDS.toNanos(10), 3);
    private final Histogram sinceSent = new Histogram(TimeUnit.SECONDS.toNanos(10), 3);
    private volatile long handled;   // written by the handler's thread only

    private InProcessLatency(final int rate, final int seconds, final int warmupSeconds)
    {
        this.total = rate * (warmupSeconds + seconds);
        this.warmup = rate * warmupSeconds;
        this.interval = TimeUnit.SECONDS.toNanos(1) / rate;
        this.due = new long[total];
        this.sent = new long[total];
    }

    /** What publishes message {@code k} on the schedule. */
    private interface Publisher
    {
        void publish(int k);
    }

    public static void main(final String[] args) throws InterruptedException
    {
        final int rate = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
        final int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 20;
        final int warmupSeconds = args.length > 2 ? Integer.parseInt(args[2]) : 10;
        final int handlerThreads = args.length > 3 ? Integer.parseInt(args[3]) : DeliverySettings.HANDLER_THREADS_DEFAULT;
        final long retentionMiB = args.length > 4 ? Long.parseLong(args[4]) : 256;
        final String waitStrategy = args.length > 5 ? args[5] : BusConfig.WAIT_STRATEGY_DEFAULT;
        final String path = args.length > 6 ? args[6] : "bus";
        final boolean floor = path.startsWith("floor");
        final InProcessLatency run = new InProcessLatency(rate, seconds, warmupSeconds);
        if (floor)
        {
            run.floor(waitStrategy, "floor-work".equals(path));
        }
        else
        {
            run.bus(handlerThreads, retentionMiB, waitStrategy);
        }
        System.out.printf(Locale.ROOT, "%s: offered %d msgs/s for %d s (after %d s warm-up), handler threads %d, "
                + "retention %d MiB, wait strategy %s, handled %d of %d%n", floor ? path + " (no envelope)" : "bus",
            rate, seconds, warmupSeconds, handlerThreads, retentionMiB, waitStrategy, run.handled, run.total);
        if (run.handled != run.total)
        {
            // the k-th handled is no longer the k-th due: a reader that fell further behind than the stream's
            // retention lost the oldest unread messages (the stream logs it)
            System.out.println("INVALID: " + (run.total - run.handled) + " messages were not handled (retention too "
                + "small for how far the reader fell behind?); the latencies below are not meaningful");
        }
        print("from due (open loop)", run.latency);
        print("from claim", run.sinceSent);
    }

    private void bus(final int handlerThreads, final long retentionMiB, final String waitStrategy)
        throws InterruptedException
    {
        final Message template = SampleMessages.message();
        final PublishCallback failOnError = (tag, sequence, error) ->
        {
            if (null != error)
            {
                throw error;
            }
        };
        try (InProcessBus bus = new InProcessBus(new BusConfig().url("embedded:").embeddedMaxBytes(retentionMiB << 20)
            .delivery(d -> d.handlerThreads(handlerThreads)).pipeline(waitStrategy, true).conclude()))
        {
            final Subscription subscription = bus.subscribe(SubscriptionSpec.durable("latency", "agents.*.in"),
                (EnvelopeHandler)d ->
                {
                    if (null != d.envelope().type())
                    {
                        handled();
                    }
                });
            final PublishPipeline pipeline = bus.pipeline();
            schedule(k ->
            {
                final long seq = pipeline.claim();
                pipeline.event(seq).subject("agents.latency.in").from(template.from()).to(template.to())
                    .type(template.type()).payload(template.payload()).metadata(template.metadata())
                    .trace(template.traceId(), template.spanId()).onComplete(failOnError, k);
                pipeline.commit(seq);
            });
            subscription.close();
            System.out.println("subscription " + subscription.stats());
        }
    }

    /**
     * The same schedule in the bus's shape (the publisher does the writing, one consumer thread the reading), bare or
     * doing the bus's memory and hashing work.
     */
    private void floor(final String waitStrategy, final boolean work) throws InterruptedException
    {
        final Disruptor<long[]> disruptor = new Disruptor<>(() -> new long[1], 1024, DaemonThreadFactory.INSTANCE,
            ProducerType.MULTI, PublishPipeline.waitStrategy(waitStrategy));
        final byte[] body = new byte[1409];   // the sample message's size on the wire
        final byte[] log = new byte[work ? 64 << 20 : 0];
        final java.security.MessageDigest first = sha256();
        final java.security.MessageDigest second = sha256();
        final byte[] firstHash = new byte[32];
        final byte[] secondHash = new byte[32];
        disruptor.handleEventsWith((e, seq, end) ->
        {
            if (work)
            {
                hash(second, log, (int)e[0], body.length, secondHash);
            }
            handled();
        });
        final RingBuffer<long[]> ring = disruptor.start();
        schedule(k ->
        {
            final long seq = ring.next();
            if (work)
            {
                final int at = (int)(seq * body.length % (log.length - body.length));
                System.arraycopy(body, 0, log, at, body.length);
                hash(first, log, at, body.length, firstHash);
                ring.get(seq)[0] = at;   // where the consumer finds the bytes
            }
            ring.publish(seq);
        });
        disruptor.halt();
    }

    private static void hash(final java.security.MessageDigest digest, final byte[] bytes, final int offset,
        final int length, final byte[] into)
    {
        digest.update(bytes, offset, length);
        try
        {
            digest.digest(into, 0, into.length);
        }
        catch (final java.security.DigestException e)
        {
            throw new IllegalStateException(e);
        }
    }

    private static java.security.MessageDigest sha256()
    {
        try
        {
            return java.security.MessageDigest.getInstance("SHA-256");
        }
        catch (final java.security.NoSuchAlgorithmException e)
        {
            throw new IllegalStateException(e);
        }
    }

    private void handled()
    {
        final long k = handled++;
        if (k >= warmup)
        {
            final long now = System.nanoTime();
            latency.recordValue(Math.max(0, now - due[(int)k]));
            sinceSent.recordValue(Math.max(0, now - sent[(int)k]));
        }
    }

    /** Publishes message k when it is due, parking between, then waits (up to 10 s) until all are handled. */
    private void schedule(final Publisher publisher) throws InterruptedException
    {
        final long start = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(10);
        int next = 0;
        while (next < total)
        {
            final long now = System.nanoTime();
            while (next < total && start + next * interval <= now)
            {
                due[next] = start + next * interval;
                sent[next] = System.nanoTime();
                publisher.publish(next);
                next++;
            }
            if (next < total)
            {
                LockSupport.parkNanos(start + next * interval - System.nanoTime());
            }
        }
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (handled < total && System.nanoTime() < deadline)
        {
            Thread.sleep(10);
        }
    }

    private static void print(final String what, final Histogram h)
    {
        // p99 sits where ~1% of messages met one of the machine's stalls, so it jumps between tens of us and ms from
        // run to run; the share of messages over the 100 us budget moves smoothly and says how far a run is from it
        System.out.printf(Locale.ROOT, "latency %-20s us: p50 %.1f  p90 %.1f  p99 %.1f  p99.9 %.1f  max %.1f  "
                + "over 100 us %.3f%%%n", what, h.getValueAtPercentile(50) / 1e3, h.getValueAtPercentile(90) / 1e3,
            h.getValueAtPercentile(99) / 1e3, h.getValueAtPercentile(99.9) / 1e3, h.getMaxValue() / 1e3,
            100 - h.getPercentileAtOrBelowValue(BUDGET_NANOS));
    }
}
