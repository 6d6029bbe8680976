package io.agentflow.bus;

import io.agentflow.bus.jetstream.JetStreamBus;
import io.agentflow.bus.jetstream.JetStreamInternals;
import io.agentflow.bus.jetstream.Quarantine;
import io.agentflow.bus.jetstream.StreamProvisioner;
import io.agentflow.bus.wire.Streams;
import io.agentflow.bus.wire.Subjects;
import io.agentflow.codec.Message;
import io.agentflow.codec.error.ErrorCode;
import io.agentflow.codec.error.MessageError;
import io.agentflow.testsupport.Await;
import io.agentflow.testsupport.NatsTestServer;
import io.nats.client.Connection;
import io.nats.client.JetStreamSubscription;
import io.nats.client.Nats;
import io.nats.client.PullSubscribeOptions;
import io.nats.client.api.ConsumerConfiguration;
import io.nats.client.api.StreamInfoOptions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(60)
/** What is particular to the JetStream transport; what every transport promises is in {@link MessageBusContract}. */
class JetStreamBusTest
{
    private static final Duration WAIT = Duration.ofSeconds(15);
    private static NatsTestServer server;

    private JetStreamBus bus;

    @BeforeAll
    static void startServer() throws Exception
    {
        server = NatsTestServer.start();
        try (JetStreamBus setup = JetStreamBus.connect(TestConfigs.of(server)))
        {
            setup.provision();
        }
    }

    @AfterAll
    static void stopServer() throws Exception
    {
        server.close();
    }

    @BeforeEach
    void connect()
    {
        bus = JetStreamBus.connect(TestConfigs.of(server));
    }

    @AfterEach
    void disconnect()
    {
        bus.close();
    }

    @Test
    void shouldProvisionIdempotentlyAndKeepData()
    {
        bus.publishAndWait(Subjects.SYSTEM_HEALTH, TestMessage.to("health", 1));
        final long before = count(Streams.SYSTEM, Subjects.SYSTEM_HEALTH);

        final List<StreamProvisioner.Outcome> again = bus.provision();

        assertEquals(Streams.ALL.size() + 2, again.size(), "every stream and the two default consumers");
        assertTrue(again.stream().allMatch(o -> "unchanged".equals(o.action())), again::toString);
        assertEquals(before, count(Streams.SYSTEM, Subjects.SYSTEM_HEALTH));
        assertTrue(before >= 1);
    }

    @Test
    void shouldKeepQuarantineEvidenceWithItsReasonAndOrigin() throws Exception
    {
        final String subject = "agents.victim.in";
        final List<Message> received = new CopyOnWriteArrayList<>();
        final Message good1 = TestMessage.to("victim", 1);
        final Message good2 = TestMessage.to("victim", 3);
        final Message original = TestMessage.to("victim", 2);
        final byte[] tampered = original.toString().replace("\"n\":2", "\"n\":7").getBytes(StandardCharsets.UTF_8);

        bus.publishAndWait(subject, good1);
        try (Connection raw = Nats.connect(server.url()))
        {
            raw.jetStream().publish(subject, tampered);   // bypasses the codec, as an attacker on the wire would
        }
        bus.publishAndWait(subject, good2);

        try (Subscription s = bus.subscribe(SubscriptionSpec.durable("victim", subject), (m, d) -> received.add(m)))
        {
            Await.until(WAIT, () -> received.size() == 2 && s.stats().quarantined() == 1,
                () -> "2 delivered and 1 quarantined, have " + received.size() + " and " + s.stats());
            assertEquals(List.of(good1, good2), received);
        }
        final io.nats.client.Message record = lastQuarantined("hash_mismatch");
        assertEquals("hash_mismatch", record.getHeaders().getFirst(Quarantine.REASON));
        assertEquals(subject, record.getHeaders().getFirst(Quarantine.ORIGINAL_SUBJECT));
        assertTrue(record.getHeaders().getFirst(Quarantine.DETAIL).contains("envelope_hash does not match"));
        assertEquals(new String(tampered, StandardCharsets.UTF_8), new String(record.getData(),
            StandardCharsets.UTF_8), "the evidence is kept byte for byte");
    }

    @Test
    void shouldFailFastWithARetryableTransportErrorWhenNoServerAnswers() throws Exception
    {
        final int deadPort;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0))
        {
            deadPort = s.getLocalPort();
        }
        final MessageError e = assertThrows(MessageError.class,
            () -> JetStreamBus.connect(TestConfigs.of(server).url("nats://127.0.0.1:" + deadPort)));
        assertEquals(ErrorCode.TRANSPORT_ERROR, e.code());
        assertTrue(e.retryable());
    }

    private long count(final String stream, final String subject)
    {
        try
        {
            return JetStreamInternals.management(bus).getStreamInfo(stream, StreamInfoOptions.filterSubjects(subject))
                .getStreamState().getSubjects().stream().mapToLong(s -> s.getCount()).sum();
        }
        catch (final Exception ex)
        {
            throw new AssertionError(ex);
        }
    }

    private io.nats.client.Message lastQuarantined(final String reason) throws Exception
    {
        return JetStreamBusContractTest.lastQuarantinedRecord(bus, reason);
    }
}
