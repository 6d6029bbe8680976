package io.agentflow.bus;

import io.agentflow.bus.jetstream.JetStreamInternals;
import io.agentflow.bus.jetstream.Quarantine;
import io.agentflow.bus.wire.Streams;
import io.agentflow.testsupport.Await;
import io.nats.client.Connection;
import io.nats.client.Nats;
import io.nats.client.api.StreamInfoOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 17, finding 4: the quarantine as an attacker would use it. Each case failed on the code before: records of
 * one consumer evicted another's, a refusal held the dispatcher for a whole publish time-out, and a body near
 * {@code max_payload} could not be quarantined at all.
 */
@Timeout(90)
class QuarantineTest extends ProvisionedServerTest
{
    /** A flood of refusals at one consumer rotates that consumer's records only. */
    @Test
    void aFloodAtOneConsumerCannotEvictAnothersEvidence() throws Exception
    {
        try (Subscription flooded = bus.subscribe(SubscriptionSpec.durable("q-flooded", "agents.q-flood.in")
                .startingAt(SubscriptionSpec.StartPosition.NEW), (m, d) -> { });
            Subscription bystander = bus.subscribe(SubscriptionSpec.durable("q-bystander", "agents.q-by.in")
                .startingAt(SubscriptionSpec.StartPosition.NEW), (m, d) -> { });
            Connection raw = Nats.connect(server.url()))
        {
            raw.jetStream().publish("agents.q-by.in", "evidence".getBytes(StandardCharsets.UTF_8));
            Await.until(Duration.ofSeconds(15), () -> 1 == bystander.stats().quarantined(), bystander::toString);
            final int flood = 100;
            for (int i = 0; i < flood; i++)
            {
                raw.jetStream().publish("agents.q-flood.in", ("garbage " + i).getBytes(StandardCharsets.UTF_8));
            }
            Await.until(Duration.ofSeconds(30), () -> flood == flooded.stats().quarantined(),
                () -> flooded.stats().toString());
        }
        assertEquals(1, records("quarantine.serialization_error.q-bystander"), "the bystander's evidence stays");
        assertEquals(Streams.QUARANTINE_PER_SUBJECT, records("quarantine.serialization_error.q-flooded"),
            "the flooded consumer keeps its newest records");
    }

    /** A quarantine that does not answer must not hold up the messages behind a refused one. */
    @Test
    void aStalledQuarantineDoesNotStallDelivery() throws Exception
    {
        final List<String> delivered = new CopyOnWriteArrayList<>();
        JetStreamInternals.management(bus).deleteStream(Streams.QUARANTINE);
        try (Connection raw = Nats.connect(server.url());
            Subscription s = bus.subscribe(SubscriptionSpec.durable("q-stalled", "agents.q-stalled.in")
                .startingAt(SubscriptionSpec.StartPosition.NEW), (m, d) -> delivered.add(m.id())))
        {
            raw.subscribe("quarantine.>");   // takes the records' publish requests and never answers
            raw.flush(Duration.ofSeconds(2));
            for (int i = 0; i < 5; i++)
            {
                raw.jetStream().publish("agents.q-stalled.in", ("garbage " + i).getBytes(StandardCharsets.UTF_8));
            }
            final io.agentflow.codec.Message good = TestMessage.to("q-stalled", 1);
            raw.jetStream().publish("agents.q-stalled.in", good.toString().getBytes(StandardCharsets.UTF_8));
            final long start = System.nanoTime();
            Await.until(Duration.ofSeconds(4), () -> delivered.contains(good.id()), () -> "the good message "
                + "behind five refusals, delivered " + delivered);
            assertTrue((System.nanoTime() - start) / 1_000_000 < 4_000);
            raw.close();   // the quarantine answers again: the refused messages come back and are kept
            bus.provision();
            Await.until(Duration.ofSeconds(40), () -> 5 == s.stats().quarantined(), () -> s.stats().toString());
        }
        finally
        {
            bus.provision();
        }
    }

    /** A body that fits alone but not with the record's headers is kept as a summary, not dropped. */
    @Test
    void aBodyTooLargeForARecordIsKeptAsASummary() throws Exception
    {
        final long maxPayload = bus.maxPayload();
        final byte[] body = "y".repeat((int)maxPayload - 200).getBytes(StandardCharsets.US_ASCII);
        try (Subscription s = bus.subscribe(SubscriptionSpec.durable("q-big", "agents.q-big.in")
                .startingAt(SubscriptionSpec.StartPosition.NEW), (m, d) -> { });
            Connection raw = Nats.connect(server.url()))
        {
            raw.jetStream().publish("agents.q-big.in", body);
            Await.until(Duration.ofSeconds(20), () -> 1 == s.stats().quarantined(), () -> s.stats().toString());
        }
        final io.nats.client.JetStreamSubscription sub = JetStreamInternals.jetStream(bus).subscribe(
            "quarantine.serialization_error.q-big", io.nats.client.PullSubscribeOptions.builder()
                .stream(Streams.QUARANTINE).build());
        final List<io.nats.client.Message> records = sub.fetch(1, Duration.ofSeconds(5));
        sub.unsubscribe();
        assertEquals(1, records.size());
        final io.nats.client.Message record = records.get(0);
        assertEquals("summary", record.getHeaders().getFirst(Quarantine.BODY));
        final String summary = new String(record.getData(), StandardCharsets.US_ASCII);
        assertTrue(summary.startsWith("{\"original_bytes\":" + body.length + ",\"sha256\":\""
            + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(body)) + "\""), summary);
    }

    private static long records(final String subject) throws Exception
    {
        return JetStreamInternals.management(bus).getStreamInfo(Streams.QUARANTINE, StreamInfoOptions.filterSubjects(subject))
            .getStreamState().getSubjects().stream().mapToLong(x -> x.getCount()).sum();
    }
}
