package io.agentflow.bus;

import io.agentflow.codec.ErrorCode;
import io.agentflow.codec.Message;
import io.agentflow.codec.MessageError;
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
class JetStreamBusTest
{
    private static final Duration WAIT = Duration.ofSeconds(15);
    private static NatsTestServer server;

    private JetStreamBus bus;

    @BeforeAll
    static void startServer() throws Exception
    {
        server = NatsTestServer.start();
        try (JetStreamBus setup = JetStreamBus.connect(server.config()))
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
        bus = JetStreamBus.connect(server.config());
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
        final long before = count(StreamProvisioner.SYSTEM, Subjects.SYSTEM_HEALTH);

        final List<StreamProvisioner.Outcome> again = bus.provision();

        assertEquals(6, again.size());
        assertTrue(again.stream().allMatch(o -> "unchanged".equals(o.action())), again::toString);
        assertEquals(before, count(StreamProvisioner.SYSTEM, Subjects.SYSTEM_HEALTH));
        assertTrue(before >= 1);
    }

    @ParameterizedTest
    @ValueSource(strings = {"agents.rt-a.in", "agents.rt-a.out", "workflows.rt-w.in", "workflows.rt-w.out",
        "tools.calls", "tools.audit", "system.control", "system.health"})
    void shouldRoundTripOnEverySubjectKind(final String subject)
    {
        final List<Message> received = new CopyOnWriteArrayList<>();
        final String durable = "rt-" + subject.replace('.', '-');
        try (Subscription ignored = bus.subscribe(SubscriptionSpec.durable(durable, subject),
            (m, d) -> received.add(m)))
        {
            final Message sent = TestMessage.to("rt", 1);
            final PublishAck ack = bus.publishAndWait(subject, sent);
            assertTrue(ack.sequence() > 0);
            assertFalse(ack.duplicate());

            Await.until(WAIT, () -> received.contains(sent), () -> "delivery on " + subject);
            assertEquals(List.of(sent), received);
        }
    }

    @Test
    void shouldStoreTheSameMessageOnce()
    {
        final Message m = TestMessage.to("dedup", 1);
        final PublishAck first = bus.publishAndWait("agents.dedup.in", m);
        final PublishAck second = bus.publishAndWait("agents.dedup.in", m);

        assertFalse(first.duplicate());
        assertTrue(second.duplicate());
        assertEquals(first.sequence(), second.sequence());
        assertEquals(1, count(StreamProvisioner.MESSAGES, "agents.dedup.in"));
    }

    @Test
    void shouldResumeADurableConsumerWithoutLossOrRedeliveryOfAckedMessages()
    {
        final String subject = "agents.resume.in";
        final SubscriptionSpec spec = SubscriptionSpec.durable("resume", subject);
        final List<Integer> seen = Collections.synchronizedList(new ArrayList<>());
        publishNumbered(subject, 0, 10);
        try (Subscription s = bus.subscribe(spec, (m, d) -> seen.add(number(m))))
        {
            Await.until(WAIT, () -> seen.size() == 10, () -> "first 10, have " + seen);
        }
        publishNumbered(subject, 10, 20);   // published while nobody listens
        try (Subscription s = bus.subscribe(spec, (m, d) -> seen.add(number(m))))
        {
            Await.until(WAIT, () -> seen.size() == 20, () -> "next 10, have " + seen);
        }
        final List<Integer> expected = new ArrayList<>();
        for (int i = 0; i < 20; i++)
        {
            expected.add(i);
        }
        assertEquals(expected, seen, "in order, each once");
    }

    @Test
    void shouldQuarantineATamperedMessageAndNeverHandItToTheHandler() throws Exception
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
    void shouldRedeliverWithBackoffWhenTheHandlerThrows()
    {
        final String subject = "agents.flaky.in";
        final AtomicInteger attempts = new AtomicInteger();
        final List<Long> deliveryCounts = new CopyOnWriteArrayList<>();
        bus.publishAndWait(subject, TestMessage.to("flaky", 1));
        try (Subscription s = bus.subscribe(SubscriptionSpec.durable("flaky", subject), (m, d) ->
        {
            deliveryCounts.add(d.deliveryCount());
            if (attempts.incrementAndGet() < 2)
            {
                throw new IllegalStateException("transient failure");
            }
        }))
        {
            Await.until(WAIT, () -> s.stats().delivered() == 1, () -> "success on redelivery: " + s.stats());
            assertEquals(List.of(1L, 2L), deliveryCounts);
            assertEquals(1, s.stats().redelivered());
            assertEquals(0, s.stats().quarantined());
        }
    }

    @Test
    void shouldQuarantineAfterTheMaximumDeliveries() throws Exception
    {
        final String subject = "agents.doomed.in";
        final Message m = TestMessage.to("doomed", 1);
        final AtomicInteger attempts = new AtomicInteger();
        bus.publishAndWait(subject, m);
        try (Subscription s = bus.subscribe(SubscriptionSpec.durable("doomed", subject), (msg, d) ->
        {
            attempts.incrementAndGet();
            throw new IllegalStateException("always fails");
        }))
        {
            Await.until(WAIT, () -> s.stats().quarantined() == 1, () -> "quarantine: " + s.stats());
            assertEquals(server.config().maxDeliver(), attempts.get());
        }
        final io.nats.client.Message record = lastQuarantined("max_deliveries");
        assertEquals(m.toString(), new String(record.getData(), StandardCharsets.UTF_8));
    }

    @Test
    void shouldReplayAWorkflowInOrderReportingTamperedMessages() throws Exception
    {
        final String workflow = "wf-replay";
        bus.publishAndWait(Subjects.workflowIn(workflow), TestMessage.inWorkflow(workflow, -1));
        Thread.sleep(5);   // a distinct instant: the replay starts after this first message
        final Instant since = Instant.now();
        final List<Message> sent = new ArrayList<>();
        for (int i = 0; i < 20; i++)
        {
            final Message m = TestMessage.inWorkflow(workflow, i);
            sent.add(m);
            bus.publishAndWait(i % 2 == 0 ? Subjects.workflowIn(workflow) : Subjects.workflowOut(workflow), m);
            if (7 == i)
            {
                try (Connection raw = Nats.connect(server.url()))
                {
                    raw.jetStream().publish(Subjects.workflowIn(workflow),
                        m.toString().replace("\"step\":7", "\"step\":8").getBytes(StandardCharsets.UTF_8));
                }
            }
        }

        final List<Message> replayed = new ArrayList<>();
        final ReplayReport report = bus.replay(workflow, since, (m, origin) -> replayed.add(m));

        assertEquals(sent, replayed, "every verified message after 'since', in publish order");
        assertEquals(21, report.read());
        assertEquals(20, report.verified());
        assertEquals(1, report.failures().size());
        final ReplayReport.Failure failure = report.failures().get(0);
        assertEquals("hash_mismatch", failure.code());
        assertEquals(sent.get(7).id(), failure.id());
        assertEquals(Subjects.workflowIn(workflow), failure.subject());
    }

    @Test
    void shouldReplayNothingForAnUnknownWorkflow()
    {
        final ReplayReport report = bus.replay("wf-nobody", Instant.EPOCH, (m, o) -> { });
        assertEquals(0, report.read());
        assertTrue(report.allVerified());
    }

    @ParameterizedTest
    @ValueSource(strings = {"a.b", "a*", ">", "a b", "tab\t", "nul\u0000", ""})
    void shouldRejectIdsThatWouldChangeTheSubject(final String id)
    {
        final MessageError e = assertThrows(MessageError.class, () -> Subjects.agentIn(id));
        assertEquals(ErrorCode.VALIDATION_ERROR, e.code());
    }

    @ParameterizedTest
    @ValueSource(strings = {"agents.*.in", "agents.>", "agents.a b.in", "agents..in", "agents.x\u0000.in", "", "."})
    void shouldRefuseToPublishToASubjectWithWildcardsOrEmptyTokens(final String subject)
    {
        final CompletionException e = assertThrows(CompletionException.class,
            () -> bus.publish(subject, TestMessage.to("x", 1)).join());
        assertEquals(ErrorCode.VALIDATION_ERROR, ((MessageError)e.getCause()).code());
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
            () -> JetStreamBus.connect(server.config().url("nats://127.0.0.1:" + deadPort)));
        assertEquals(ErrorCode.TRANSPORT_ERROR, e.code());
        assertTrue(e.retryable());
    }

    private void publishNumbered(final String subject, final int from, final int to)
    {
        for (int i = from; i < to; i++)
        {
            bus.publishAndWait(subject, TestMessage.to("resume", i));
        }
    }

    private static int number(final Message m)
    {
        return ((Number)((java.util.Map<?, ?>)m.payload().tree()).get("n")).intValue();
    }

    private long count(final String stream, final String subject)
    {
        try
        {
            return bus.management().getStreamInfo(stream, StreamInfoOptions.filterSubjects(subject))
                .getStreamState().getSubjects().stream().mapToLong(s -> s.getCount()).sum();
        }
        catch (final Exception ex)
        {
            throw new AssertionError(ex);
        }
    }

    /** @return the newest quarantine record for {@code reason}, read as any NATS client would. */
    private io.nats.client.Message lastQuarantined(final String reason) throws Exception
    {
        final JetStreamSubscription sub = bus.jetStream().subscribe(Subjects.quarantine(reason),
            PullSubscribeOptions.builder().stream(StreamProvisioner.QUARANTINE)
                .configuration(ConsumerConfiguration.builder()
                    .deliverPolicy(io.nats.client.api.DeliverPolicy.Last).build()).build());
        try
        {
            final List<io.nats.client.Message> messages = sub.fetch(1, Duration.ofSeconds(5));
            assertEquals(1, messages.size(), "one quarantine record for " + reason);
            return messages.get(0);
        }
        finally
        {
            sub.unsubscribe();
        }
    }
}
