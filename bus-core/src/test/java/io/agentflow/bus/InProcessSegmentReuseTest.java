package io.agentflow.bus;

import io.agentflow.bus.inprocess.InProcessBus;
import io.agentflow.bus.inprocess.InProcessStream;
import io.agentflow.bus.inprocess.StoredMessage;
import io.agentflow.bus.wire.Streams;
import io.agentflow.bus.wire.Subjects;
import io.agentflow.codec.EnvelopeDecoder;
import io.agentflow.codec.EnvelopeEncoder;
import io.agentflow.codec.Message;
import io.agentflow.codec.MessageType;
import io.agentflow.testsupport.Await;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The in-process streams rewrite their segments once no reader holds them: a message the {@link MessageHandler}
 * path still holds keeps its bytes (the envelope path's cases are in {@link EnvelopeSubscriptionTest}).
 */
class InProcessSegmentReuseTest
{
    private static final Duration WAIT = Duration.ofSeconds(10);

    @Test
    void aMessageFailingUntilItsLastDeliveryIsQuarantinedWithItsOwnBytes() throws Exception
    {
        try (InProcessBus bus = new InProcessBus(new BusConfig().url("embedded:").embeddedMaxBytes(1 << 20)
            .delivery(d -> d.maxDeliver(3).redeliveryDelay(Duration.ofMillis(500), Duration.ofMillis(500))).conclude()))
        {
            final Message poison = Message.builder().from("tester").to("poison").type(MessageType.REQUEST)
                .payload(Map.of("text", "poison")).build();
            final Subscription sub = bus.subscribe(SubscriptionSpec.durable("poison", "agents.poison.in"),
                (MessageHandler)(m, d) ->
                {
                    throw new IllegalStateException("never");
                });
            fill(bus, 1);   // past the first segments, which grow from 64 KiB and are not rewritten
            bus.publishAndWait(Subjects.agentIn("poison"), poison);
            fill(bus, 10);   // while it waits for its second and third delivery, 1 s away
            Await.until(WAIT, () -> 1 == sub.stats().quarantined(), () -> "quarantined: " + sub.stats());
            final List<StoredMessage> records = bus.quarantined().stream()
                .filter(s -> s.subject().equals(Subjects.quarantine(Streams.MAX_DELIVERIES))).toList();
            assertEquals(1, records.size());
            final Message kept = new EnvelopeDecoder().decode(records.get(0).bytes());
            assertEquals(poison.id() + "|" + poison.payload(), kept.id() + "|" + kept.payload());
        }
    }

    /**
     * {@code mib} MiB of 1 KiB messages to an agent nobody subscribes to, on the messages stream; a millisecond's
     * pause every 64 gives readers waiting on the stream's monitor their turn to pass them.
     */
    static void fill(final InProcessBus bus, final int mib) throws InterruptedException
    {
        final byte[] wire = new EnvelopeEncoder().wireBytes(Message.builder().from("filler").to("nobody")
            .type(MessageType.EVENT).payload(Map.of("text", "x".repeat(1_000))).build());
        for (int i = 0; i < mib * 1024; i++)
        {
            bus.appendWire(Subjects.agentIn("nobody"), wire, wire.length);
            if (i % 64 == 63)
            {
                Thread.sleep(1);
            }
        }
    }
}
