package io.agentflow.bus;

import io.agentflow.bus.wire.Subjects;
import io.agentflow.codec.Message;
import io.agentflow.codec.error.ErrorCode;
import io.agentflow.codec.error.MessageError;
import io.agentflow.testsupport.Await;
import org.junit.jupiter.api.AfterEach;
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
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What every {@link MessageBus} promises, written once and run against each transport by a small subclass.
 */
@Timeout(60)
abstract class MessageBusContract
{
    static final Duration WAIT = Duration.ofSeconds(15);

    MessageBus bus;

    /** @return a bus on a fresh or shared broker, configured with {@link TestConfigs#of}'s delays. */
    abstract MessageBus newBus();

    /** @return the settings {@link #newBus()} connects with (not concluded), for a test that changes one. */
    abstract BusConfig config();

    /** Stores bytes on a subject bypassing the codec, as an attacker on the wire would. */
    void injectRaw(final String subject, final byte[] bytes) throws Exception
    {
        injectRaw(bus, subject, bytes);
    }

    /** Stores bytes bypassing the codec where {@code into} reads them (in process: its own streams). */
    abstract void injectRaw(MessageBus into, String subject, byte[] bytes) throws Exception;

    /** Waits until the workflow index of {@code indexing} covers everything stored (in process it always does). */
    void awaitIndexed(final MessageBus indexing) throws Exception
    {
    }

    /** @return the original bytes of the newest quarantined record for {@code reason}. */
    abstract byte[] lastQuarantined(String reason) throws Exception;

    @BeforeEach
    void open()
    {
        bus = newBus();
    }

    @AfterEach
    void shut()
    {
        bus.close();
    }

    /**
     * Issue 17, finding 7: text an agent chooses ({@code to}, {@code metadata.workflow_id}, an id that fails
     * validation) went raw into the MDC and the audit logger, so a newline forged the next line of a text log and
     * bidi controls reordered what a reader sees. Every line about these messages, its text and its MDC, is checked.
     */
    @Test
    void shouldKeepAgentChosenTextFromForgingLogLines() throws Exception
    {
        final String forgedTo = "inj\nWARN  io.agentflow.audit - hash_mismatch message_id=forged";
        final String forgedWorkflow = "wf\u202Eevil\r\nx\u2066";
        final Message sent = Message.builder().from("tester").to(forgedTo)
            .type(io.agentflow.codec.MessageType.REQUEST).metadata(Map.of("workflow_id", forgedWorkflow)).build();
        final Message victim = TestMessage.to("inj", 1);
        // JSON escapes, which the reader turns into a newline and a right-to-left override
        final byte[] badId = victim.toString().replace(victim.id(), "01\\nFORGED\\u202E").getBytes(
            StandardCharsets.UTF_8);
        final ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent> lines =
            new ch.qos.logback.core.read.ListAppender<>();
        final ch.qos.logback.classic.Logger root = (ch.qos.logback.classic.Logger)org.slf4j.LoggerFactory.getLogger(
            org.slf4j.Logger.ROOT_LOGGER_NAME);
        final ch.qos.logback.classic.Logger app = (ch.qos.logback.classic.Logger)org.slf4j.LoggerFactory.getLogger(
            "app.injection");
        app.setLevel(ch.qos.logback.classic.Level.INFO);
        lines.start();
        root.addAppender(lines);
        try (Subscription s = bus.subscribe(SubscriptionSpec.durable("log-injection", "agents.inj.in")
            .startingAt(SubscriptionSpec.StartPosition.NEW), (m, d) -> app.info("handled")))
        {
            bus.publishAndWait("agents.inj.in", sent);
            injectRaw("agents.inj.in", badId);
            Await.until(WAIT, () -> s.stats().quarantined() == 1 && lines.list.stream()
                .anyMatch(e -> "handled".equals(e.getFormattedMessage())), () -> "handled and quarantined: "
                + s.stats());
        }
        finally
        {
            root.detachAppender(lines);
        }
        final List<String> texts = new ArrayList<>();
        for (final ch.qos.logback.classic.spi.ILoggingEvent e : new ArrayList<>(lines.list))
        {
            texts.add(e.getFormattedMessage());
            texts.addAll(e.getMDCPropertyMap().values());
        }
        assertTrue(texts.stream().anyMatch(t -> t.contains("FORGED")), "the bad id was logged: " + texts);
        assertTrue(texts.stream().anyMatch(t -> t.startsWith("inj\\u000aWARN")), "the agent id, escaped: " + texts);
        for (final String t : texts)
        {
            assertFalse(t.chars().anyMatch(c -> c < 0x20 || c == 0x202E || c == 0x2066), "raw control in: " + t);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"agents.rt-a.in", "agents.rt-a.out", "workflows.rt-w.in", "workflows.rt-w.out",
        "tools.calls", "tools.audit", "system.control", "system.health"})
    void shouldRoundTripOnEverySubjectKind(final String subject)
    {
        final List<Message> received = new CopyOnWriteArrayList<>();
        try (Subscription ignored = bus.subscribe(SubscriptionSpec.durable("rt-" + subject.replace('.', '-'), subject),
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
        final List<Message> received = new CopyOnWriteArrayList<>();
        try (Subscription s = bus.subscribe(SubscriptionSpec.durable("dedup", "agents.dedup.in"),
            (msg, d) -> received.add(msg)))
        {
            Await.until(WAIT, () -> received.size() >= 1, () -> "delivery");
            bus.publishAndWait("agents.dedup.in", TestMessage.to("dedup", 2));
            Await.until(WAIT, () -> received.size() >= 2, () -> "second delivery");
        }
        assertEquals(2, received.size(), "the repeat was stored once: " + received);
    }

    @Test
    void shouldHandAMessageStoredTwiceToTheHandlerOnce() throws Exception
    {
        final String subject = "agents.twice.in";
        final Message m = TestMessage.to("twice", 1);
        final byte[] wire = m.toString().getBytes(StandardCharsets.UTF_8);
        injectRaw(subject, wire);   // no Nats-Msg-Id: the broker keeps both copies
        injectRaw(subject, wire);
        bus.publishAndWait(subject, TestMessage.to("twice", 2));
        final List<Message> received = new CopyOnWriteArrayList<>();
        try (Subscription s = bus.subscribe(SubscriptionSpec.durable("twice", subject), (msg, d) -> received.add(msg)))
        {
            Await.until(WAIT, () -> 2 == received.size() && 1 == s.stats().duplicates(),
                () -> "two handled, one duplicate skipped: " + received.size() + ", " + s.stats());
        }
        assertEquals(m, received.get(0));
        assertEquals(2, number(received.get(1)));
    }

    @Test
    void shouldResumeADurableConsumerWithoutLossOrRedeliveryOfHandledMessages()
    {
        final String subject = "agents.resume.in";
        final SubscriptionSpec spec = SubscriptionSpec.durable("resume", subject);
        final List<Integer> seen = Collections.synchronizedList(new ArrayList<>());
        publishNumbered(subject, 0, 10);
        try (Subscription s = bus.subscribe(spec, (m, d) -> seen.add(number(m))))
        {
            Await.until(WAIT, () -> seen.size() == 10, () -> "first 10, have " + seen);
        }
        publishNumbered(subject, 10, 20);   // while nobody listens
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

    @ParameterizedTest
    @ValueSource(strings = {"agents.ho-a.in", "agents.ho-a.out", "workflows.ho-w.in", "workflows.ho-w.out",
        "tools.calls", "tools.audit", "system.control", "system.health"})
    void shouldQuarantineHostileBytesWithTheirReasonAndDeliverTheirNeighboursUntouched(final String subject)
        throws Exception
    {
        final Message before = TestMessage.to("hostile", 1);
        final Message after = TestMessage.to("hostile", 2);
        final String valid = TestMessage.to("hostile", 3).toString();
        final Map<String, byte[]> hostile = new java.util.LinkedHashMap<>();
        hostile.put("oversized", Message.builder().from("x").to("hostile").type(io.agentflow.codec.MessageType.EVENT)
            .payload("y".repeat(TestConfigs.MAX_MESSAGE_BYTES)).build().toString().getBytes(StandardCharsets.UTF_8));
        hostile.put("duplicate key", valid.replaceFirst("\\{", "{\"to\":\"evil\",")
            .getBytes(StandardCharsets.UTF_8));
        hostile.put("lone surrogate", valid.replace("message 3", "\\ud800").getBytes(StandardCharsets.UTF_8));
        hostile.put("too deep", valid.replace("\"payload\":{", "\"payload\":{\"deep\":" + "[".repeat(100)
            + "]".repeat(100) + ",").getBytes(StandardCharsets.UTF_8));
        hostile.put("malformed", valid.substring(0, valid.length() / 2).getBytes(StandardCharsets.UTF_8));
        hostile.put("wrong hash", valid.replace("\"n\":3", "\"n\":4").getBytes(StandardCharsets.UTF_8));
        hostile.put("wrong schema", valid.replace("\"type\":\"request\"", "\"type\":7")
            .getBytes(StandardCharsets.UTF_8));
        final Map<String, String> expectedReason = Map.of("oversized", "serialization_error", "duplicate key",
            "serialization_error", "lone surrogate", "serialization_error", "too deep", "serialization_error",
            "malformed", "serialization_error", "wrong hash", "hash_mismatch", "wrong schema", "schema_error");

        final List<Message> received = new CopyOnWriteArrayList<>();
        try (Subscription s = bus.subscribe(SubscriptionSpec.durable("ho-" + subject.replace('.', '-'), subject)
            .startingAt(SubscriptionSpec.StartPosition.NEW), (m, d) -> received.add(m)))   // other tests' left out
        {
            bus.publishAndWait(subject, before);
            for (final Map.Entry<String, byte[]> e : hostile.entrySet())
            {
                injectRaw(subject, e.getValue());
            }
            bus.publishAndWait(subject, after);
            Await.until(WAIT, () -> received.size() == 2 && s.stats().quarantined() == hostile.size(),
                () -> "2 delivered and " + hostile.size() + " quarantined, have " + received.size() + " and "
                    + s.stats());
        }
        assertEquals(before.toString(), received.get(0).toString(), "delivered untouched");
        assertEquals(after.toString(), received.get(1).toString(), "delivered untouched");
        for (final Map.Entry<String, byte[]> e : hostile.entrySet())
        {
            final String reason = expectedReason.get(e.getKey());
            if (!"serialization_error".equals(reason))   // five records share that reason; compare the last only
            {
                assertTrue(java.util.Arrays.equals(e.getValue(), lastQuarantined(reason)), e.getKey() + " kept as "
                    + reason);
            }
        }
        assertTrue(java.util.Arrays.equals(hostile.get("malformed"), lastQuarantined("serialization_error")),
            "malformed kept as serialization_error, after the other four");
    }

    @Test
    void shouldCountInMetricsWithBoundedLabels() throws Exception
    {
        final String before = MetricsProbe.scrape();
        final String subject = Subjects.agentIn("secret-customer-4711");
        final List<Message> received = new CopyOnWriteArrayList<>();
        bus.publishAndWait(subject, TestMessage.to("secret-customer-4711", 1));
        injectRaw(subject, TestMessage.to("secret-customer-4711", 2).toString().replace("\"n\":2", "\"n\":3")
            .getBytes(StandardCharsets.UTF_8));
        try (Subscription s = bus.subscribe(SubscriptionSpec.durable("metrics", subject), (m, d) -> received.add(m)))
        {
            Await.until(WAIT, () -> received.size() == 1 && s.stats().quarantined() == 1, () -> "1 + 1");
        }
        final String after = MetricsProbe.scrape();

        assertEquals(1, delta(before, after,
            "agentflow_messages_total{message_type=\"request\",status=\"published\"}"));
        assertEquals(1, delta(before, after, "agentflow_messages_total{message_type=\"request\",status=\"delivered\"}"));
        assertEquals(1, delta(before, after, "agentflow_hash_verifications_total{status=\"valid\"}"));
        assertEquals(1, delta(before, after, "agentflow_hash_verifications_total{status=\"hash_mismatch\"}"));
        assertEquals(1, delta(before, after, "agentflow_quarantined_total{reason=\"hash_mismatch\"}"));
        assertEquals(1, delta(before, after,
            "agentflow_message_latency_seconds_count{message_type=\"request\",subject=\"agents.*.in\"}"));
        assertFalse(after.contains("secret-customer-4711"), "no raw id in any label");
    }

    @Test
    void shouldShowASlowConsumersLagAndItsDrain() throws Exception
    {
        final String subject = "agents.slow.in";
        final java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        final AtomicInteger handled = new AtomicInteger();
        final String series = "agentflow_consumer_lag{consumer=\"slow\"}";
        try (Subscription s = bus.subscribe(SubscriptionSpec.durable("slow", subject), (m, d) ->
        {
            release.await();   // a stuck handler: the in-flight bound stops the consumer taking more
            handled.incrementAndGet();
        }))
        {
            for (int i = 0; i < 400; i++)
            {
                bus.publish(subject, TestMessage.to("slow", i));
            }
            Await.until(WAIT, () -> MetricsProbe.value(MetricsProbe.scrape(), series) > 0,
                () -> "a positive lag: " + MetricsProbe.value(MetricsProbe.scrape(), series));
            release.countDown();
            Await.until(WAIT, () -> 400 == handled.get() && 0 == MetricsProbe.value(MetricsProbe.scrape(), series),
                () -> "drained: handled " + handled.get() + ", lag " + MetricsProbe.value(MetricsProbe.scrape(),
                    series));
        }
        assertFalse(MetricsProbe.scrape().contains(series), "a closed subscription reports no lag");
    }

    private static double delta(final String before, final String after, final String series)
    {
        return MetricsProbe.value(after, series) - MetricsProbe.valueOr(before, series, 0);
    }

    @Test
    void shouldStartANewConsumerAtNewMessagesWhenAsked()
    {
        final String subject = "agents.late.in";
        publishNumbered(subject, 0, 3);   // before the consumer exists
        final List<Integer> seen = Collections.synchronizedList(new ArrayList<>());
        try (Subscription s = bus.subscribe(SubscriptionSpec.durable("late", subject)
            .startingAt(SubscriptionSpec.StartPosition.NEW), (m, d) -> seen.add(number(m))))
        {
            publishNumbered(subject, 3, 5);
            Await.until(WAIT, () -> seen.size() == 2, () -> "the two new messages, have " + seen);
        }
        assertEquals(List.of(3, 4), seen);
    }

    @Test
    void shouldQuarantineATamperedMessageAndNeverHandItToTheHandler() throws Exception
    {
        final String subject = "agents.victim.in";
        final List<Message> received = new CopyOnWriteArrayList<>();
        final Message good1 = TestMessage.to("victim", 1);
        final Message good2 = TestMessage.to("victim", 3);
        final byte[] tampered = TestMessage.to("victim", 2).toString().replace("\"n\":2", "\"n\":7")
            .getBytes(StandardCharsets.UTF_8);

        bus.publishAndWait(subject, good1);
        injectRaw(subject, tampered);
        bus.publishAndWait(subject, good2);

        try (Subscription s = bus.subscribe(SubscriptionSpec.durable("victim", subject), (m, d) -> received.add(m)))
        {
            Await.until(WAIT, () -> received.size() == 2 && s.stats().quarantined() == 1,
                () -> "2 delivered and 1 quarantined, have " + received.size() + " and " + s.stats());
            assertEquals(List.of(good1, good2), received);
        }
        assertEquals(new String(tampered, StandardCharsets.UTF_8),
            new String(lastQuarantined("hash_mismatch"), StandardCharsets.UTF_8), "the evidence, byte for byte");
    }

    @Test
    void shouldRedeliverWithBackoffWhenTheHandlerThrows()
    {
        final AtomicInteger attempts = new AtomicInteger();
        final List<Long> deliveryCounts = new CopyOnWriteArrayList<>();
        bus.publishAndWait("agents.flaky.in", TestMessage.to("flaky", 1));
        try (Subscription s = bus.subscribe(SubscriptionSpec.durable("flaky", "agents.flaky.in"), (m, d) ->
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
        final Message m = TestMessage.to("doomed", 1);
        final AtomicInteger attempts = new AtomicInteger();
        bus.publishAndWait("agents.doomed.in", m);
        try (Subscription s = bus.subscribe(SubscriptionSpec.durable("doomed", "agents.doomed.in"), (msg, d) ->
        {
            attempts.incrementAndGet();
            throw new IllegalStateException("always fails");
        }))
        {
            Await.until(WAIT, () -> s.stats().quarantined() == 1, () -> "quarantine: " + s.stats());
            assertEquals(bus.config().delivery().maxDeliver(), attempts.get());
        }
        assertEquals(m.toString(), new String(lastQuarantined("max_deliveries"), StandardCharsets.UTF_8));
    }

    @Test
    void shouldReplayAWorkflowInOrderReportingTamperedMessages() throws Exception
    {
        final String workflow = "wf-replay";
        bus.publishAndWait(Subjects.workflowIn(workflow), TestMessage.inWorkflow(workflow, -1));
        Thread.sleep(5);   // a distinct instant: the replay starts after this first message
        final Instant since = Instant.now();
        // and the rest comes a few ms after it: the store's clock (the broker's, or the in-process stream's monotonic
        // clock with a wall offset sampled each second) may differ from this Instant by a fraction of a ms under NTP
        // slew, which once put 18 of the 20 messages before 'since'
        Thread.sleep(5);
        final List<Message> sent = new ArrayList<>();
        for (int i = 0; i < 20; i++)
        {
            final Message m = TestMessage.inWorkflow(workflow, i);
            sent.add(m);
            bus.publishAndWait(i % 2 == 0 ? Subjects.workflowIn(workflow) : Subjects.workflowOut(workflow), m);
            if (7 == i)
            {
                injectRaw(Subjects.workflowIn(workflow), m.toString().replace("\"step\":7", "\"step\":8")
                    .getBytes(StandardCharsets.UTF_8));
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
    void shouldReplayAWorkflowsMessagesOnAgentSubjectsFromTheWorkflowIndexWithoutAScan() throws Exception
    {
        final String workflow = "wf-indexed";
        try (MessageBus indexing = io.agentflow.bus.connect.MessageBuses.connect(config().workflowIndex(true)))
        {
            final List<Message> sent = new ArrayList<>();
            int published = 0;
            for (int i = 0; i < 40; i++)
            {
                for (int n = 0; n < 3; n++)   // other traffic on the same agent subjects: none's and another workflow's
                {
                    indexing.publishAndWait(Subjects.agentIn("worker-" + n),
                        0 == n ? TestMessage.to("worker-0", i) : TestMessage.inWorkflow("wf-other", i));
                    published++;
                }
                final Message m = TestMessage.inWorkflow(workflow, i);
                sent.add(m);
                indexing.publishAndWait(switch (i % 3)
                {
                    case 0 -> Subjects.workflowIn(workflow);
                    case 1 -> Subjects.agentIn("worker-" + i % 4);
                    default -> Subjects.agentOut("planner");
                }, m);
                published++;
                if (7 == i)   // a tampered copy on an agent subject is read and reported, not delivered
                {
                    injectRaw(indexing, Subjects.agentIn("worker-3"), m.toString().replace("\"step\":7", "\"step\":8")
                        .getBytes(StandardCharsets.UTF_8));
                    published++;
                }
            }
            awaitIndexed(indexing);

            final List<Message> replayed = new ArrayList<>();
            final List<String> subjects = new ArrayList<>();
            final ReplayReport report = indexing.replay(workflow, Instant.EPOCH, (m, d) ->
            {
                replayed.add(m);
                subjects.add(d.subject());
            });

            assertEquals(sent, replayed, "every message of the workflow, on whatever subject, in publish order");
            assertTrue(subjects.contains(Subjects.agentOut("planner")) && subjects.contains(Subjects.agentIn("worker-1")),
                subjects.toString());
            assertEquals(41, report.read());
            assertEquals(40, report.verified());
            assertEquals(1, report.failures().size(), report.failures().toString());
            assertEquals("hash_mismatch", report.failures().get(0).code());
            assertEquals(Subjects.agentIn("worker-3"), report.failures().get(0).subject());
            // a scan would look at every one of the messages this test stored, and more
            assertTrue(report.examined() >= report.read() && report.examined() <= 2 * report.read()
                && report.examined() < published, "examined " + report.examined() + " of " + published + " stored");
        }
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void shouldPauseASubscriptionWhoseHandlerKeepsFailingWhileItsHandlerBreakerIsOpen(final boolean envelopes)
        throws Exception
    {
        final BusConfig c = config().breaker(50, 4, Duration.ofMillis(2500));
        final String durable = "paused-" + (envelopes ? "env-" : "msg-") + getClass().getSimpleName();
        final String subject = Subjects.agentIn(durable);
        final String gauge = "agentflow_handler_breaker_state{consumer=\"" + durable + "\"}";
        final java.util.concurrent.atomic.AtomicBoolean down = new java.util.concurrent.atomic.AtomicBoolean(true);
        final AtomicInteger calls = new AtomicInteger();
        final java.util.Set<String> handled = ConcurrentHashMap.newKeySet();
        final java.util.function.Consumer<String> handle = id ->
        {
            calls.incrementAndGet();
            if (down.get())
            {
                throw new IllegalStateException("the model API is down");
            }
            handled.add(id);
        };
        try (MessageBus guarded = io.agentflow.bus.connect.MessageBuses.connect(
            c.resilience(c.resilience().handlerBreaker(true)));
            Subscription s = envelopes
                ? guarded.subscribe(SubscriptionSpec.durable(durable, subject),
                    (EnvelopeHandler)d -> handle.accept(d.envelope().id()))
                : guarded.subscribe(SubscriptionSpec.durable(durable, subject), (m, d) -> handle.accept(m.id())))
        {
            for (int i = 0; i < 4; i++)
            {
                guarded.publishAndWait(subject, TestMessage.to(durable, i));
            }
            Await.until(WAIT, () -> 1 == MetricsProbe.valueOr(MetricsProbe.scrape(), gauge, -1),
                () -> "the breaker to open after 4 failed handlings; calls " + calls);
            final int whenOpened = calls.get();
            for (int i = 4; i < 8; i++)
            {
                guarded.publishAndWait(subject, TestMessage.to(durable, i));
            }
            Thread.sleep(800);   // well within the open wait: the four redeliveries and four new ones are held
            assertEquals(whenOpened, calls.get(), "nothing handed to the handler while the breaker is open");
            down.set(false);
            Await.until(WAIT, () -> handled.size() == 8, () -> "all 8 handled after it closed: " + handled.size());
            assertEquals(0, s.stats().quarantined(), "no message spent its deliveries against an open breaker");
            assertEquals(0, MetricsProbe.value(MetricsProbe.scrape(), gauge), "closed again");
        }
    }

    @Test
    void shouldReplayNothingForAnUnknownWorkflow()
    {
        final ReplayReport report = bus.replay("wf-nobody", Instant.EPOCH, (m, o) -> { });
        assertEquals(0, report.read());
        assertTrue(report.allVerified());
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
    void shouldKeepEachAgentsOrderWhileHandlingAgentsInParallelOnShards()
    {
        final int agents = 8;
        final int perAgent = 40;
        final Map<String, List<Integer>> seen = new ConcurrentHashMap<>();
        final AtomicInteger running = new AtomicInteger();
        final AtomicInteger maxRunning = new AtomicInteger();
        for (int i = 0; i < perAgent; i++)
        {
            for (int a = 0; a < agents; a++)   // interleaved: agent order differs from stream order
            {
                bus.publish(Subjects.agentIn("order-" + a), TestMessage.to("order-" + a, i));
            }
        }
        try (Subscription s = bus.subscribe(SubscriptionSpec.durable("all-order", "agents.*.in"), (m, d) ->
        {
            if (!m.to().startsWith("order-"))
            {
                return;   // other tests' messages on the shared broker
            }
            maxRunning.accumulateAndGet(running.incrementAndGet(), Math::max);
            Thread.sleep(1);   // long enough for handlers of different agents to overlap
            seen.computeIfAbsent(m.to(), k -> Collections.synchronizedList(new ArrayList<>())).add(number(m));
            running.decrementAndGet();
        }))
        {
            Await.until(Duration.ofSeconds(30), () -> seen.values().stream().mapToInt(List::size).sum()
                == agents * perAgent, () -> "all delivered: " + s.stats());
        }
        final List<Integer> expected = new ArrayList<>();
        for (int i = 0; i < perAgent; i++)
        {
            expected.add(i);
        }
        assertEquals(agents, seen.size());
        seen.forEach((agent, numbers) -> assertEquals(expected, numbers, "order of " + agent));
        if (1 == bus.config().delivery().handlerThreads())
        {
            assertEquals(1, maxRunning.get(), "one handler thread: the reader ran every handler, one at a time");
        }
        else
        {
            assertTrue(maxRunning.get() > 1, "different agents were handled in parallel: max=" + maxRunning.get());
        }
    }

    @Test
    void anEnvelopeHandlerReadsEachVerifiedEnvelopeInPlace()
    {
        final Map<String, Message> sent = new java.util.HashMap<>();
        final Map<String, String> seen = new ConcurrentHashMap<>();
        final List<Long> sequences = new CopyOnWriteArrayList<>();
        try (Subscription s = bus.subscribe(SubscriptionSpec.durable("env-fields", "agents.*.in")
            .startingAt(SubscriptionSpec.StartPosition.NEW), (EnvelopeHandler)d ->
        {
            final io.agentflow.codec.EnvelopeView e = d.envelope();
            final String payload = new String(e.buffer(), e.payloadOffset(), e.payloadLength(), StandardCharsets.UTF_8);
            seen.put(e.id(), e.type().wireName() + "|" + e.tsMicros() + "|" + payload + "|" + d.subject() + "|"
                + d.deliveryCount() + "|" + e.envelopeHash());
            sequences.add(d.streamSequence());
        }))
        {
            for (int i = 0; i < 20; i++)
            {
                final Message m = TestMessage.to("env-" + (i % 4), i);
                sent.put(m.id(), m);
                bus.publishAndWait(Subjects.agentIn("env-" + (i % 4)), m);
            }
            // the count follows the handler's return (and the ack): wait for it too, not only for what the handler saw
            Await.until(WAIT, () -> seen.size() == sent.size() && 20 == s.stats().delivered(),
                () -> seen.size() + " of " + sent.size() + ", " + s.stats());
            assertEquals(20, s.stats().delivered());
        }
        // the bus's tracing (when an SDK is installed) may set new trace ids, so the hash is read, not compared
        sent.forEach((id, m) -> assertTrue(seen.get(id).startsWith(m.type().wireName() + "|" + m.tsMicros() + "|"
            + m.payload() + "|" + Subjects.agentIn(m.to()) + "|1|"), seen.get(id)));
        assertTrue(sequences.stream().allMatch(q -> q > 0), "stream positions: " + sequences);
    }

    @Test
    void anEnvelopeHandlerNeverSeesHostileBytesAndTheirNeighboursArrive() throws Exception
    {
        final String subject = "agents.env-hostile.in";
        final String valid = TestMessage.to("env-hostile", 3).toString();
        final Map<String, byte[]> hostile = new java.util.LinkedHashMap<>();
        hostile.put("hash_mismatch", valid.replace("\"n\":3", "\"n\":4").getBytes(StandardCharsets.UTF_8));
        hostile.put("serialization_error", valid.substring(0, valid.length() / 2).getBytes(StandardCharsets.UTF_8));
        hostile.put("schema_error", valid.replace("\"type\":\"request\"", "\"type\":7")
            .getBytes(StandardCharsets.UTF_8));
        // a hostile agent with valid credentials: a right hash over a message that breaks the contract
        hostile.put("validation_error", TestMessage.rehashed(valid.replace("\"from\":\"tester\"", "\"from\":\"\"")));
        final Message before = TestMessage.to("env-hostile", 1);
        final Message after = TestMessage.to("env-hostile", 2);
        final List<String> handled = new CopyOnWriteArrayList<>();
        try (Subscription s = bus.subscribe(SubscriptionSpec.durable("env-hostile", subject)
            .startingAt(SubscriptionSpec.StartPosition.NEW), (EnvelopeHandler)d -> handled.add(d.envelope().id())))
        {
            bus.publishAndWait(subject, before);
            for (final byte[] bytes : hostile.values())
            {
                injectRaw(subject, bytes);
            }
            bus.publishAndWait(subject, after);
            Await.until(WAIT, () -> handled.size() == 2 && s.stats().quarantined() == hostile.size(),
                () -> "2 handled and " + hostile.size() + " quarantined, have " + handled + " and " + s.stats());
        }
        assertEquals(List.of(before.id(), after.id()), handled);
        for (final Map.Entry<String, byte[]> e : hostile.entrySet())
        {
            assertTrue(java.util.Arrays.equals(e.getValue(), lastQuarantined(e.getKey())), e.getKey());
        }
    }

    @Test
    void anEnvelopeHandlerGetsIntactReserializedBytesInCanonicalForm() throws Exception
    {
        final String subject = "agents.env-pretty.in";
        final Message m = TestMessage.to("env-pretty", 1);
        final String pretty = m.toString().replace(",\"", ", \"").replace("{", "{ ");   // intact, not canonical
        final List<String> handled = new CopyOnWriteArrayList<>();
        try (Subscription s = bus.subscribe(SubscriptionSpec.durable("env-pretty", subject)
            .startingAt(SubscriptionSpec.StartPosition.NEW), (EnvelopeHandler)d -> handled.add(new String(
            d.envelope().buffer(), d.envelope().offset(), d.envelope().length(), StandardCharsets.UTF_8))))
        {
            injectRaw(subject, pretty.getBytes(StandardCharsets.UTF_8));
            Await.until(WAIT, () -> handled.size() == 1, () -> "delivered: " + s.stats());
        }
        assertEquals(List.of(m.toString()), handled);
    }

    @Test
    void anEnvelopeHandlerThatThrowsGetsTheMessageAgainThenTheQuarantineTakesIt() throws Exception
    {
        final String subject = "agents.env-flaky.in";
        final List<Long> counts = new CopyOnWriteArrayList<>();
        final Message flaky = TestMessage.to("env-flaky", 1);
        final Message doomed = TestMessage.to("env-flaky", 2);
        bus.publishAndWait(subject, flaky);
        bus.publishAndWait(subject, doomed);
        try (Subscription s = bus.subscribe(SubscriptionSpec.durable("env-flaky", subject), (EnvelopeHandler)d ->
        {
            if (d.envelope().idEquals(flaky.id()))
            {
                counts.add(d.deliveryCount());
                if (1 == d.deliveryCount())
                {
                    throw new IllegalStateException("transient");
                }
                return;
            }
            throw new IllegalStateException("always");
        }))
        {
            Await.until(WAIT, () -> 1 == s.stats().delivered() && 1 == s.stats().quarantined(),
                () -> "one handled on its second delivery, one quarantined: " + s.stats());
        }
        assertEquals(List.of(1L, 2L), counts);
        assertEquals(doomed.toString(), new String(lastQuarantined("max_deliveries"), StandardCharsets.UTF_8));
    }

    @Test
    void anEnvelopeHandlerSeesAMessageStoredTwiceOnce() throws Exception
    {
        final String subject = "agents.env-twice.in";
        final Message m = TestMessage.to("env-twice", 1);
        injectRaw(subject, m.toString().getBytes(StandardCharsets.UTF_8));   // no Nats-Msg-Id: stored twice
        injectRaw(subject, m.toString().getBytes(StandardCharsets.UTF_8));
        final Message next = TestMessage.to("env-twice", 2);
        bus.publishAndWait(subject, next);
        final List<String> handled = new CopyOnWriteArrayList<>();
        try (Subscription s = bus.subscribe(SubscriptionSpec.durable("env-twice", subject), (EnvelopeHandler)d ->
            handled.add(d.envelope().id())))
        {
            Await.until(WAIT, () -> 2 == handled.size() && 1 == s.stats().duplicates(), () -> handled + " " + s.stats());
        }
        assertEquals(List.of(m.id(), next.id()), handled);
    }

    @Test
    void publishingAMessageEncodesItOnceAndDoesNotHashItAgain() throws Exception
    {
        final List<Message> messages = new ArrayList<>();
        for (int i = 0; i < 10; i++)
        {
            messages.add(TestMessage.to("once", i));   // built, so hashed, before counting
        }
        final long[] counted = new long[2];
        final Thread publisher = new Thread(() ->   // a thread of its own: its encoder counts only these
        {
            final io.agentflow.codec.EnvelopeEncoder encoder = io.agentflow.codec.EnvelopeEncoder.threadLocal();
            final long encodings = encoder.encodings();
            final long hashes = encoder.hashes();
            messages.forEach(m -> bus.publishAndWait("agents.once.in", m));
            counted[0] = encoder.encodings() - encodings;
            counted[1] = encoder.hashes() - hashes;
        });
        publisher.start();
        publisher.join(WAIT.toMillis());
        assertEquals(10, counted[0], "encodings");
        assertEquals(0, counted[1], "hashes: a Message carries its own, checked when it was built");
        final List<Message> received = new CopyOnWriteArrayList<>();
        try (Subscription s = bus.subscribe(SubscriptionSpec.durable("once", "agents.once.in"), (m, d) -> received.add(m)))
        {
            Await.until(WAIT, () -> received.size() == 10, () -> received.size() + " of 10");
        }
        assertEquals(messages, received, "stored as built, each verified on receipt");
    }

    /** What the claim path must refuse before anything is stored, and the code it must say. */
    static java.util.stream.Stream<org.junit.jupiter.params.provider.Arguments> invalidClaims()
    {
        return java.util.stream.Stream.of(
            org.junit.jupiter.params.provider.Arguments.of("empty from", ErrorCode.VALIDATION_ERROR,
                (java.util.function.Consumer<io.agentflow.bus.pipeline.PublishEvent>)e -> e.from("")),
            org.junit.jupiter.params.provider.Arguments.of("negative cost", ErrorCode.VALIDATION_ERROR,
                (java.util.function.Consumer<io.agentflow.bus.pipeline.PublishEvent>)e -> e.cost(-0.5, 3)),
            org.junit.jupiter.params.provider.Arguments.of("bad trace id", ErrorCode.VALIDATION_ERROR,
                (java.util.function.Consumer<io.agentflow.bus.pipeline.PublishEvent>)e -> e.trace("not-hex",
                    TestMessage.SPAN_ID)),
            org.junit.jupiter.params.provider.Arguments.of("wildcard subject", ErrorCode.VALIDATION_ERROR,
                (java.util.function.Consumer<io.agentflow.bus.pipeline.PublishEvent>)e -> e.subject("agents.*.in")),
            org.junit.jupiter.params.provider.Arguments.of("no subject", ErrorCode.VALIDATION_ERROR,
                (java.util.function.Consumer<io.agentflow.bus.pipeline.PublishEvent>)e -> e.subject(null)),
            org.junit.jupiter.params.provider.Arguments.of("metadata not an object", ErrorCode.SCHEMA_ERROR,
                (java.util.function.Consumer<io.agentflow.bus.pipeline.PublishEvent>)e -> e.metadata(
                    io.agentflow.codec.Json.of(List.of(1)))));
    }

    @ParameterizedTest(name = "{0}")
    @org.junit.jupiter.params.provider.MethodSource("invalidClaims")
    void theClaimPathRefusesAnInvalidEventAndStoresNothing(final String name, final ErrorCode code,
        final java.util.function.Consumer<io.agentflow.bus.pipeline.PublishEvent> breakIt)
    {
        final String subject = "agents.claim-" + name.replace(' ', '-') + ".in";
        final List<String> seen = new CopyOnWriteArrayList<>();
        // every agents.*.in message stored from now on, the literal "agents.*.in" too
        try (Subscription s = bus.subscribe(SubscriptionSpec.durable("claim-" + name.replace(' ', '-'), "agents.*.in")
            .startingAt(SubscriptionSpec.StartPosition.NEW), (m, d) -> seen.add(m.id())))
        {
            final io.agentflow.bus.pipeline.PublishPipeline pipeline = bus.pipeline();
            final java.util.concurrent.CompletableFuture<MessageError> outcome =
                new java.util.concurrent.CompletableFuture<>();
            final long seq = pipeline.claim();
            final io.agentflow.bus.pipeline.PublishEvent e = pipeline.event(seq).subject(subject).from("planner")
                .to("worker").type(io.agentflow.codec.MessageType.REQUEST)
                .onComplete((tag, sequence, error) -> outcome.complete(error), 0);
            breakIt.accept(e);
            pipeline.commit(seq);
            final MessageError refused = outcome.join();
            assertTrue(null != refused, name + " was accepted");
            assertEquals(code, refused.code(), refused.getMessage());

            final Message marker = TestMessage.to("marker", 1);
            bus.publishAndWait("agents.claim-marker.in", marker);
            Await.until(WAIT, () -> seen.contains(marker.id()), () -> "the marker");
            assertEquals(0, s.stats().quarantined());
            assertEquals(List.of(marker.id()), seen, "nothing but the marker was stored");
        }
    }

    void publishNumbered(final String subject, final int from, final int to)
    {
        for (int i = from; i < to; i++)
        {
            bus.publishAndWait(subject, TestMessage.to("resume", i));
        }
    }

    static int number(final Message m)
    {
        return ((Number)((Map<?, ?>)m.payload().tree()).get("n")).intValue();
    }
}
