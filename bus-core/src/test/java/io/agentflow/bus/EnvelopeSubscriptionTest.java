package io.agentflow.bus;

import io.agentflow.bus.inprocess.InProcessBus;
import io.agentflow.bus.inprocess.InProcessStream;
import io.agentflow.bus.inprocess.StoredMessage;
import io.agentflow.bus.wire.Streams;
import io.agentflow.bus.wire.Subjects;
import io.agentflow.codec.EnvelopeEncoder;
import io.agentflow.codec.Message;
import io.agentflow.codec.error.MessageError;
import io.agentflow.testsupport.Await;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The in-process allocation-free consume path: {@link InProcessBus#subscribe(SubscriptionSpec, EnvelopeHandler)},
 * with handler shards (the default); {@link EnvelopeSubscriptionInlineTest} runs every test again with the reader as
 * the handler thread.
 */
class EnvelopeSubscriptionTest
{
    private static final Duration WAIT = Duration.ofSeconds(10);

    private InProcessBus bus;

    int handlerThreads()
    {
        return DeliverySettings.HANDLER_THREADS_DEFAULT;
    }

    @BeforeEach
    void start()
    {
        bus = new InProcessBus(new BusConfig().url("embedded:").delivery(d -> d.handlerThreads(handlerThreads())
            .redeliveryDelay(Duration.ofMillis(20), Duration.ofMillis(40))).conclude());
    }

    @AfterEach
    void stop()
    {
        bus.close();
    }

    @Test
    void deliversEachVerifiedEnvelopeInPlaceWithItsFields()
    {
        final Map<String, Message> sent = new HashMap<>();
        final Map<String, String> seen = new ConcurrentHashMap<>();
        final Subscription sub = bus.subscribe(SubscriptionSpec.durable("fields", "agents.*.in"), (EnvelopeHandler)d ->
        {
            final var e = d.envelope();
            final String payload = new String(e.buffer(), e.payloadOffset(), e.payloadLength(), StandardCharsets.UTF_8);
            seen.put(e.id(), e.type().wireName() + "|" + e.tsMicros() + "|" + payload + "|" + d.subject() + "|"
                + d.deliveryCount() + "|" + e.hasTrace());
        });
        for (int i = 0; i < 50; i++)
        {
            final Message m = TestMessage.to("agent-" + (i % 5), i);
            sent.put(m.id(), m);
            bus.publishAndWait(Subjects.agentIn("agent-" + (i % 5)), m);
        }
        Await.until(WAIT, () -> seen.size() == sent.size(), () -> seen.size() + " of " + sent.size());
        sent.forEach((id, m) -> assertEquals(m.type().wireName() + "|" + m.tsMicros() + "|"
            + m.payload().toString() + "|" + Subjects.agentIn(m.to()) + "|1|true", seen.get(id), id));
        assertEquals(50, sub.stats().delivered());
        sub.close();
    }

    @Test
    void tamperedBytesAreQuarantinedAndNeverReachTheHandlerWhileTheirNeighboursDo()
    {
        final List<String> handled = new CopyOnWriteArrayList<>();
        bus.subscribe(SubscriptionSpec.durable("tamper", "agents.*.in"), (EnvelopeHandler)d ->
            handled.add(d.envelope().id()));
        final Message before = TestMessage.to("a", 1);
        final Message corrupted = TestMessage.to("a", 2);
        final Message foreign = TestMessage.to("a", 3);
        final Message after = TestMessage.to("a", 4);
        bus.publishAndWait(Subjects.agentIn("a"), before);
        // bytes this process encoded, changed in memory afterwards: the SHA-256 check must catch it
        final byte[] wire = new EnvelopeEncoder().wireBytes(corrupted);
        final String text = new String(wire, StandardCharsets.UTF_8).replace("message 2", "message X");
        final byte[] changed = text.getBytes(StandardCharsets.UTF_8);
        bus.appendWire(Subjects.agentIn("a"), changed, changed.length);
        // bytes from elsewhere with a wrong hash: the full decode refuses them
        final byte[] bridged = new String(new EnvelopeEncoder().wireBytes(foreign), StandardCharsets.UTF_8)
            .replace("message 3", "message Y").getBytes(StandardCharsets.UTF_8);
        bus.publishWire(Subjects.agentIn("a"), bridged);
        bus.publishAndWait(Subjects.agentIn("a"), after);
        Await.until(WAIT, () -> handled.size() == 2, () -> "handled " + handled);
        assertEquals(List.of(before.id(), after.id()), handled);
        final List<byte[]> quarantined = bus.quarantined().stream()
            .filter(s -> s.subject().equals(Subjects.quarantine("hash_mismatch"))).map(StoredMessage::bytes)
            .toList();
        assertEquals(2, quarantined.size());
        assertArrayEquals(changed, quarantined.get(0));
        assertArrayEquals(bridged, quarantined.get(1));
    }

    @Test
    void bytesFromElsewhereThatAreIntactAreDeliveredCanonical()
    {
        final List<String> payloads = new CopyOnWriteArrayList<>();
        bus.subscribe(SubscriptionSpec.durable("bridged", "agents.*.in"), (EnvelopeHandler)d ->
        {
            final var e = d.envelope();
            payloads.add(new String(e.buffer(), e.payloadOffset(), e.payloadLength(), StandardCharsets.UTF_8));
        });
        final Message m = TestMessage.to("b", 7);
        // intact but re-serialized on the way: whitespace between members
        final String spaced = new String(new EnvelopeEncoder().wireBytes(m), StandardCharsets.UTF_8)
            .replace(",\"", ", \"");
        bus.publishWire(Subjects.agentIn("b"), spaced.getBytes(StandardCharsets.UTF_8));
        Await.until(WAIT, () -> payloads.size() == 1, () -> "delivered " + payloads);
        assertEquals(m.payload().toString(), payloads.get(0));
    }

    @Test
    void aHandlerThatThrowsGetsTheMessageAgainThenTheQuarantineTakesIt()
    {
        final AtomicInteger calls = new AtomicInteger();
        final List<Long> counts = new CopyOnWriteArrayList<>();
        final Message flaky = TestMessage.to("c", 1);
        final Message poison = TestMessage.to("c", 2);
        final Subscription sub = bus.subscribe(SubscriptionSpec.durable("retry", "agents.*.in"), (EnvelopeHandler)d ->
        {
            calls.incrementAndGet();
            if (d.envelope().idEquals(poison.id()) || (d.envelope().idEquals(flaky.id()) && d.deliveryCount() < 3))
            {
                throw new IllegalStateException("not yet");
            }
            counts.add(d.deliveryCount());
        });
        bus.publishAndWait(Subjects.agentIn("c"), flaky);
        bus.publishAndWait(Subjects.agentIn("c"), poison);
        Await.until(WAIT, () -> 1 == sub.stats().quarantined() && 1 == counts.size(),
            () -> sub.stats() + " " + counts);
        assertEquals(List.of(3L), counts);
        assertEquals(3 + bus.config().delivery().maxDeliver(), calls.get());
        assertEquals(2 + bus.config().delivery().maxDeliver() - 1, sub.stats().redelivered());
        assertFalse(bus.quarantined().stream()
            .filter(s -> s.subject().equals(Subjects.quarantine(Streams.MAX_DELIVERIES))).toList().isEmpty());
    }

    @Test
    void aMessageInAHandlersHandsKeepsItsBytesWhileTheStreamRewritesItsSegments() throws Exception
    {
        try (InProcessBus small = smallBus(Duration.ofMillis(20)))
        {
            final Message held = TestMessage.to("slow", 1);
            final CountDownLatch inHandler = new CountDownLatch(1);
            final CountDownLatch release = new CountDownLatch(1);
            final AtomicReference<String> seen = new AtomicReference<>();
            small.subscribe(SubscriptionSpec.durable("holder", "agents.slow.in"), (EnvelopeHandler)d ->
            {
                inHandler.countDown();
                release.await();
                seen.set(idAndPayload(d));
            });
            InProcessSegmentReuseTest.fill(small, 1);   // past the first segments, which are not rewritten
            small.publishAndWait(Subjects.agentIn("slow"), held);
            assertTrue(inHandler.await(WAIT.toSeconds(), TimeUnit.SECONDS));
            // a second subscriber to the same durable is refused, and its close leaves the first one's gate alone
            assertThrows(MessageError.class, () -> small.subscribe(SubscriptionSpec.durable("holder",
                "agents.slow.in"), (EnvelopeHandler)d -> { }));
            InProcessSegmentReuseTest.fill(small, 10);   // ten times the retention, while the handler reads it in place
            release.countDown();
            Await.until(WAIT, () -> null != seen.get(), () -> "not handled");
            assertEquals(held.id() + "|" + held.payload(), seen.get());
        }
    }

    @Test
    void aHandlerOutlivingItsSubscriptionKeepsItsBytesWhileTheNextSubscriberReadsOn() throws Exception
    {
        try (InProcessBus small = new InProcessBus(new BusConfig().url("embedded:")
            .delivery(d -> d.handlerThreads(handlerThreads())).embeddedMaxBytes(1 << 20).publishTimeout(Duration.ofMillis(200)).conclude()))
        {
            final Message held = TestMessage.to("slow", 1);
            final CountDownLatch inHandler = new CountDownLatch(1);
            final CountDownLatch release = new CountDownLatch(1);
            final AtomicReference<String> seen = new AtomicReference<>();
            final Subscription first = small.subscribe(SubscriptionSpec.durable("outlived", "agents.slow.in"),
                (EnvelopeHandler)d ->
                {
                    inHandler.countDown();
                    boolean released = false;
                    while (!released)
                    {
                        try
                        {
                            released = release.await(1, TimeUnit.SECONDS);
                        }
                        catch (final InterruptedException deaf)
                        {
                            // it outlives its subscription's close
                        }
                    }
                    seen.set(idAndPayload(d));
                });
            InProcessSegmentReuseTest.fill(small, 1);   // past the first segments, which are not rewritten
            small.publishAndWait(Subjects.agentIn("slow"), held);
            assertTrue(inHandler.await(WAIT.toSeconds(), TimeUnit.SECONDS));
            first.close();   // gives up on the handler after 200 ms
            final Subscription next = small.subscribe(SubscriptionSpec.durable("outlived", "agents.slow.in"),
                (EnvelopeHandler)d -> { });
            InProcessSegmentReuseTest.fill(small, 10);   // the next subscriber reads past all of it meanwhile
            release.countDown();
            Await.until(WAIT, () -> null != seen.get(), () -> "not handled");
            assertEquals(held.id() + "|" + held.payload(), seen.get());
            next.close();
        }
    }

    @Test
    void aMessageAwaitingRedeliveryKeepsItsBytesWhileTheStreamRewritesItsSegments() throws Exception
    {
        try (InProcessBus small = smallBus(Duration.ofMillis(1_500)))
        {
            final Message flaky = TestMessage.to("flaky", 1);
            final CountDownLatch failed = new CountDownLatch(1);
            final AtomicReference<String> seen = new AtomicReference<>();
            final AtomicReference<byte[]> firstSegment = new AtomicReference<>();
            final AtomicInteger firstIdAt = new AtomicInteger();
            final AtomicReference<Boolean> rewrittenBeforeRedelivery = new AtomicReference<>();
            final java.util.concurrent.atomic.AtomicLong flakySequence = new java.util.concurrent.atomic.AtomicLong();
            // the stored bytes the first delivery read: rewritten once they no longer hold the message's id
            final java.util.function.BooleanSupplier rewritten = () -> !flaky.id().equals(new String(
                firstSegment.get(), firstIdAt.get(), flaky.id().length(), StandardCharsets.US_ASCII));
            small.subscribe(SubscriptionSpec.durable("redelivered", "agents.flaky.in"), (EnvelopeHandler)d ->
            {
                if (1 == d.deliveryCount())
                {
                    firstSegment.set(d.envelope().buffer());
                    firstIdAt.set(d.envelope().idOffset());
                    flakySequence.set(d.streamSequence());
                    failed.countDown();
                    throw new IllegalStateException("later");
                }
                rewrittenBeforeRedelivery.set(rewritten.getAsBoolean());
                seen.set(idAndPayload(d));
            });
            InProcessSegmentReuseTest.fill(small, 1);   // past the first segments, which are not rewritten
            small.publishAndWait(Subjects.agentIn("flaky"), flaky);
            assertTrue(failed.await(WAIT.toSeconds(), TimeUnit.SECONDS));
            // the reader lets go of it when it next comes round (after up to 100 ms of waiting for a match); a
            // stream filled before then drops the held segments instead of rewriting them
            final InProcessStream stream = small.streamOfPublishSubject(Subjects.agentIn("flaky"));
            Await.until(WAIT, () -> stream.lowestReaderGate() > flakySequence.get(), () -> "the reader to let go");
            // then publish until the segment that held it is rewritten: well within the 1.5 s until the redelivery
            Await.until(WAIT, () ->
            {
                try
                {
                    InProcessSegmentReuseTest.fill(small, 1);
                }
                catch (final InterruptedException ex)
                {
                    throw new IllegalStateException(ex);
                }
                return rewritten.getAsBoolean();
            }, () -> "the message's segment to be rewritten");
            Await.until(WAIT, () -> null != seen.get(), () -> "not redelivered");
            assertEquals(Boolean.TRUE, rewrittenBeforeRedelivery.get(), "its segment was rewritten first");
            assertEquals(flaky.id() + "|" + flaky.payload(), seen.get());
        }
    }

    /** A bus whose streams keep 1 MiB (in 128 KiB segments). */
    private InProcessBus smallBus(final Duration redeliveryDelay)
    {
        return new InProcessBus(new BusConfig().url("embedded:").embeddedMaxBytes(1 << 20)
            .delivery(d -> d.handlerThreads(handlerThreads()).redeliveryDelay(redeliveryDelay, redeliveryDelay))
            .conclude());
    }

    private static String idAndPayload(final EnvelopeDelivery d)
    {
        final var e = d.envelope();
        return e.id() + "|" + new String(e.buffer(), e.payloadOffset(), e.payloadLength(), StandardCharsets.UTF_8);
    }

    @Test
    void eachAgentsMessagesAreHandledInPublishOrder()
    {
        final Map<String, List<Integer>> byAgent = new ConcurrentHashMap<>();
        final AtomicInteger total = new AtomicInteger();
        bus.subscribe(SubscriptionSpec.durable("order", "agents.*.in"), (EnvelopeHandler)d ->
        {
            final var e = d.envelope();
            final String payload = new String(e.buffer(), e.payloadOffset(), e.payloadLength(), StandardCharsets.UTF_8);
            final int n = Integer.parseInt(payload.replaceAll(".*\"n\":(\\d+).*", "$1"));
            byAgent.computeIfAbsent(d.subject(), k -> new CopyOnWriteArrayList<>()).add(n);
            total.incrementAndGet();
        });
        final int perAgent = 400;
        for (int i = 0; i < perAgent * 4; i++)
        {
            bus.publish(Subjects.agentIn("agent-" + (i % 4)), TestMessage.to("agent-" + (i % 4), i));
        }
        Await.until(WAIT, () -> total.get() == perAgent * 4, () -> total + " handled");
        byAgent.forEach((subject, ns) ->
        {
            final List<Integer> sorted = new ArrayList<>(ns);
            sorted.sort(Integer::compare);
            assertEquals(sorted, ns, subject);
            assertEquals(perAgent, ns.size(), subject);
        });
    }

    @Test
    void whatWasNotHandledAtCloseIsDeliveredToTheNextSubscriber()
    {
        final Message stuck = TestMessage.to("d", 1);
        final SubscriptionSpec spec = SubscriptionSpec.durable("resume", "agents.*.in");
        final AtomicInteger attempts = new AtomicInteger();
        final BusConfig slow = new BusConfig().url("embedded:").delivery(d -> d.handlerThreads(handlerThreads())
            .redeliveryDelay(Duration.ofSeconds(30), Duration.ofSeconds(30))).conclude();
        try (InProcessBus slowBus = new InProcessBus(slow))
        {
            final Subscription first = slowBus.subscribe(spec, (EnvelopeHandler)d ->
            {
                attempts.incrementAndGet();
                throw new IllegalStateException("fails; its redelivery is 30 s away");
            });
            slowBus.publishAndWait(Subjects.agentIn("d"), stuck);
            final Message next = TestMessage.to("d", 2);
            slowBus.publishAndWait(Subjects.agentIn("d"), next);
            Await.until(WAIT, () -> attempts.get() >= 2, () -> attempts + " attempts");
            first.close();
            final List<String> again = new CopyOnWriteArrayList<>();
            final Subscription second = slowBus.subscribe(spec, (EnvelopeHandler)d -> again.add(d.envelope().id()));
            Await.until(WAIT, () -> again.size() == 2, () -> "redelivered " + again);
            assertEquals(List.of(stuck.id(), next.id()), again);
            second.close();
        }
    }

    @Test
    void aSecondActiveSubscriberOfOneDurableIsRefused()
    {
        final SubscriptionSpec spec = SubscriptionSpec.durable("once", "agents.*.in");
        final Subscription first = bus.subscribe(spec, (EnvelopeHandler)d -> { });
        final io.agentflow.codec.error.MessageError refused = org.junit.jupiter.api.Assertions.assertThrows(
            io.agentflow.codec.error.MessageError.class, () -> bus.subscribe(spec, (EnvelopeHandler)d -> { }));
        assertTrue(refused.getMessage().contains("already has an active subscriber"), refused.getMessage());
        first.close();
    }
}
