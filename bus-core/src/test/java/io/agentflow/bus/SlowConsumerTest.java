package io.agentflow.bus;

import io.agentflow.bus.jetstream.JetStreamBus;
import io.agentflow.bus.jetstream.JetStreamInternals;
import io.agentflow.bus.wire.Streams;
import io.agentflow.codec.Message;
import io.agentflow.codec.MessageType;
import io.agentflow.testsupport.Await;
import io.agentflow.testsupport.NatsTestServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Fault 4 of issue 7: a consumer far slower than its publisher. The publisher's in-flight bound and the
 * consumer's {@code MaxAckPending} keep what sits in this JVM bounded while the backlog (16 MiB) stays in the
 * stream; the lag shows in the metrics; every message is handled once in the end.
 */
@Timeout(120)
class SlowConsumerTest
{
    private static final String SUBJECT = "agents.slow.in";
    private static final String DURABLE = "slow-worker";
    private static final int MESSAGES = 4_000;
    private static final int MAX_IN_FLIGHT = 64;
    private static final String PADDING = "x".repeat(4_096);

    @Test
    void shouldKeepMemoryBoundedAndShowTheLagWhileNothingIsDropped() throws Exception
    {
        final FaultLedger ledger = new FaultLedger();
        final AtomicLong maxInFlight = new AtomicLong();
        final AtomicLong maxAckPending = new AtomicLong();
        final AtomicLong maxLag = new AtomicLong();
        final AtomicLong lagUnknown = new AtomicLong();
        final java.util.concurrent.atomic.AtomicReference<Throwable> samplerFailure =
            new java.util.concurrent.atomic.AtomicReference<>();
        try (NatsTestServer server = NatsTestServer.start();
            JetStreamBus bus = JetStreamBus.connect(TestConfigs.of(server).maxInFlight(MAX_IN_FLIGHT)
                .delivery(d -> d.fetchBatch(50)).conclude()))
        {
            bus.provision();
            final long heapBefore = heapAfterGc();
            ledger.watch(bus.subscribe(SubscriptionSpec.durable(DURABLE, SUBJECT), (message, delivery) ->
            {
                Thread.sleep(1);   // slow: about 2 000 msgs/s on two shards, against a publisher 5x faster
                ledger.recordHandled(message.id());
            }));
            final Thread sampler = new Thread(() ->
            {
                while (!Thread.currentThread().isInterrupted())
                {
                    final String scrape = MetricsProbe.scrape();
                    try
                    {
                        maxInFlight.accumulateAndGet((long)MetricsProbe.value(scrape, "agentflow_publish_in_flight"),
                            Math::max);
                    }
                    catch (final IllegalStateException missing)
                    {
                        samplerFailure.set(missing);   // a gauge that vanished is a failure, not a 0
                        return;
                    }
                    try
                    {
                        maxLag.accumulateAndGet((long)MetricsProbe.value(scrape,
                            "agentflow_consumer_lag{consumer=\"" + DURABLE + "\"}"), Math::max);
                    }
                    catch (final IllegalStateException unknown)
                    {
                        // by design: when the broker does not answer the scrape's consumer-info request in time
                        // (it can, under this load), the lag has no sample rather than a wrong one; that it does
                        // show is asserted below (maxLag)
                        lagUnknown.incrementAndGet();
                    }
                    try
                    {
                        maxAckPending.accumulateAndGet(JetStreamInternals.management(bus).getConsumerInfo(Streams.MESSAGES,
                            DURABLE).getNumAckPending(), Math::max);
                        Thread.sleep(20);
                    }
                    catch (final InterruptedException ex)
                    {
                        return;
                    }
                    catch (final Exception ex)
                    {
                        // a sample missed; the next one counts
                    }
                }
            });
            sampler.start();
            for (int i = 0; i < MESSAGES; i++)
            {
                final Message m = Message.builder().from("fast-publisher").to("slow").type(MessageType.EVENT)
                    .payload(Map.of("n", i, "padding", PADDING)).build();
                ledger.publish(bus, SUBJECT, m);
            }
            Await.until(Duration.ofSeconds(30), () -> ledger.settledCount() == MESSAGES, () -> "all published");
            final int handledWhenPublished = ledger.handledCount();
            final long heapAtBacklog = heapAfterGc();
            Await.until(Duration.ofSeconds(60), () -> ledger.handledCount() == MESSAGES,
                () -> ledger.handledCount() + " of " + MESSAGES + " handled");
            sampler.interrupt();
            sampler.join();

            final Map<String, Integer> stored = FaultLedger.stored(JetStreamInternals.connection(bus), Streams.MESSAGES,
                SUBJECT);
            ledger.assertNothingLostOrDuplicated(stored);
            assertTrue(null == samplerFailure.get(), "metrics sampling: " + samplerFailure.get());
            assertTrue(handledWhenPublished < MESSAGES / 2, "the consumer was behind: " + handledWhenPublished);
            assertTrue(maxInFlight.get() <= MAX_IN_FLIGHT, "publishes awaiting acks: " + maxInFlight);
            assertTrue(maxInFlight.get() > 0, "the in-flight gauge moved while publishing: " + maxInFlight);
            assertTrue(maxAckPending.get() <= 100, "unacknowledged at the consumer (MaxAckPending 100): "
                + maxAckPending);
            assertTrue(maxLag.get() > MESSAGES / 4, "the lag showed in agentflow_consumer_lag: " + maxLag
                + " (scrapes without a lag sample: " + lagUnknown + ")");
            final long grownMiB = (heapAtBacklog - heapBefore) >> 20;
            assertTrue(grownMiB < 8, "heap grew " + grownMiB + " MiB with a 16 MiB backlog");
            ledger.record("4. slow consumer", "handler 1 ms/message, publisher unthrottled (window " + MAX_IN_FLIGHT
                + ")", stored, "peak lag " + maxLag + ", peak unacked " + maxAckPending + ", peak in flight "
                + maxInFlight + ", heap +" + grownMiB + " MiB at a 16 MiB backlog");
        }
    }

    private static long heapAfterGc()
    {
        System.gc();
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }
}
