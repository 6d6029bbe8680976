package io.agentflow.bus;

import io.agentflow.bus.connect.MessageBuses;
import io.agentflow.bus.jetstream.JetStreamBus;
import io.agentflow.bus.pipeline.PipelineSink;
import io.agentflow.bus.pipeline.PublishCallback;
import io.agentflow.bus.pipeline.PublishEvent;
import io.agentflow.bus.pipeline.PublishPipeline;
import io.agentflow.codec.Json;
import io.agentflow.codec.Message;
import io.agentflow.codec.MessageType;
import io.agentflow.codec.error.ErrorCode;
import io.agentflow.codec.error.MessageError;
import io.agentflow.testsupport.Await;
import io.agentflow.testsupport.NatsTestServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The claim, fill, commit path (issue 4) on both transports: every committed event is stored once as a contract
 * message that receivers verify, its callback told where; a full ring fails fast or after a bounded wait, as
 * configured, and drops nothing it accepted.
 */
@Timeout(60)
class PublishPipelineTest
{
    private static final int COUNT = 2_000;
    private static NatsTestServer server;

    @BeforeAll
    static void start() throws Exception
    {
        server = NatsTestServer.start();
    }

    @AfterAll
    static void stop() throws Exception
    {
        server.close();
    }

    @Test
    void claimedPublishesArriveVerifiedOverJetStream() throws Exception
    {
        try (JetStreamBus bus = JetStreamBus.connect(TestConfigs.of(server).maxInFlight(256).conclude()))
        {
            bus.provision();
            roundTrip(bus, "agents.pipe-nats.in");
        }
    }

    @Test
    void claimedPublishesArriveVerifiedInProcess() throws Exception
    {
        try (MessageBus bus = MessageBuses.connect(new BusConfig().url("embedded:").maxInFlight(256).conclude()))
        {
            roundTrip(bus, "agents.pipe-embedded.in");
        }
    }

    @Test
    void aRetryUnderTheSameIdIsStoredOnceOverJetStream() throws Exception
    {
        try (JetStreamBus bus = JetStreamBus.connect(TestConfigs.of(server).conclude()))
        {
            bus.provision();
            retryUnderOneId(bus, "agents.retry-nats.in");
        }
    }

    @Test
    void aRetryUnderTheSameIdIsStoredOnceInProcess() throws Exception
    {
        try (MessageBus bus = MessageBuses.connect(new BusConfig().url("embedded:").conclude()))
        {
            retryUnderOneId(bus, "agents.retry-embedded.in");
        }
    }

    /**
     * Whoever may publish to the pipeline's inbox can send it anything: malformed ack subjects are ignored and the
     * ack reader keeps completing (an out-of-range slot once stopped it).
     */
    @Test
    void garbageOnThePipelinesInboxIsIgnored() throws Exception
    {
        try (JetStreamBus bus = JetStreamBus.connect(TestConfigs.of(server).maxInFlight(64).conclude());
             io.nats.client.Connection raw = io.nats.client.Nats.connect(server.url()))
        {
            bus.provision();
            final io.nats.client.Subscription spy = raw.subscribe("_INBOX.>");   // sees the acks' subjects
            raw.flush(Duration.ofSeconds(2));
            final String subject = "agents.garbage-acks.in";
            final List<Long> done = new CopyOnWriteArrayList<>();
            final List<MessageError> errors = new CopyOnWriteArrayList<>();
            final PublishCallback callback = (tag, sequence, error) ->
            {
                if (null != error)
                {
                    errors.add(error);
                }
                done.add(tag);
            };
            final PublishPipeline pipeline = bus.pipeline();
            publish(pipeline, subject, callback, 0);
            final io.nats.client.Message ack = spy.nextMessage(Duration.ofSeconds(5));
            final String ackSubject = ack.getSubject();   // <inbox>.<slot>.<generation>
            final String inbox = ackSubject.substring(0, ackSubject.lastIndexOf('.', ackSubject.lastIndexOf('.') - 1));
            for (final String suffix : new String[] {"-3.0", "zz.1", "1", "0.x", "123456789012.0", "5.-1", ".."})
            {
                raw.publish(inbox + "." + suffix, "{\"seq\":1}".getBytes(java.nio.charset.StandardCharsets.UTF_8));
            }
            raw.flush(Duration.ofSeconds(2));
            for (long i = 1; i <= 200; i++)
            {
                publish(pipeline, subject, callback, i);
            }
            Await.until(Duration.ofSeconds(20), () -> done.size() == 201, () -> done.size() + " of 201 completed");
            assertTrue(errors.isEmpty(), errors.toString());
        }
    }

    private static void publish(final PublishPipeline pipeline, final String subject, final PublishCallback callback,
        final long tag)
    {
        final long seq = pipeline.claim();
        pipeline.event(seq).subject(subject).from("planner").to("worker").onComplete(callback, tag);
        pipeline.commit(seq);
    }

    /**
     * In process storing decides the outcome: commit runs on the publisher's thread, so the callback has run, on
     * that thread, when commit returns.
     */
    @Test
    void inProcessTheCallbackHasRunOnThePublishersThreadWhenCommitReturns() throws Exception
    {
        try (MessageBus bus = MessageBuses.connect(new BusConfig().url("embedded:").maxInFlight(8).conclude()))
        {
            final List<Thread> callers = new CopyOnWriteArrayList<>();
            for (long i = 0; i < 20; i++)
            {
                publish(bus.pipeline(), "agents.caller-runs.in", (tag, sequence, error) ->
                    callers.add(Thread.currentThread()), i);
                assertEquals(i + 1, callers.size(), "completed within commit");
            }
            assertEquals(Set.of(Thread.currentThread()), new HashSet<>(callers));
        }
    }

    /**
     * In process a slot is free again once it and every slot before it were committed: while one publisher holds a
     * claimed slot, the others cannot wrap round onto it (the ring counts as full), and nothing it filled is lost.
     */
    @Test
    void inProcessAHeldSlotIsNotReusedUntilCommitted() throws Exception
    {
        final BusConfig config = new BusConfig().url("embedded:").maxInFlight(4)
            .pipeline(BusConfig.WAIT_STRATEGY_DEFAULT, false).conclude();   // a full ring fails at once
        try (MessageBus bus = MessageBuses.connect(config))
        {
            final String subject = "agents.held-slot.in";
            final List<Message> received = new CopyOnWriteArrayList<>();
            final List<Long> done = new CopyOnWriteArrayList<>();
            final PublishCallback callback = (tag, sequence, error) -> done.add(null == error ? tag : -tag);
            try (Subscription ignored = bus.subscribe(SubscriptionSpec.durable("held-slot", subject),
                (m, d) -> received.add(m)))
            {
                final PublishPipeline pipeline = bus.pipeline();
                final long held = pipeline.claim();
                pipeline.event(held).subject(subject).from("planner").to("worker")
                    .payload(Json.of(Map.of("n", 100))).onComplete(callback, 100);
                for (long i = 1; i < pipeline.size(); i++)   // the ring's other slots, each committed at once
                {
                    publishNumbered(pipeline, subject, callback, i);
                }
                final MessageError full = assertThrows(MessageError.class, pipeline::claim,
                    "the next claim would wrap onto the held slot");
                assertTrue(full.getMessage().contains("publish ring full"), full.getMessage());
                pipeline.commit(held);
                for (long i = 10; i < 30; i++)   // room again, many times round
                {
                    publishNumbered(pipeline, subject, callback, i);
                }
                assertEquals(pipeline.size(), pipeline.remainingCapacity(), "every slot free again");
                Await.until(Duration.ofSeconds(10), () -> received.size() == 24, () -> received.size() + " of 24");
            }
            assertTrue(done.stream().allMatch(tag -> tag > 0), done.toString());
            assertTrue(received.stream().anyMatch(m -> "{\"n\":100}".equals(m.payload().toString())),
                "the held slot's message, as filled: " + received);
        }
    }

    /** Publishers on several threads share a small ring in process: each publish is stored once, as filled. */
    @Test
    void inProcessConcurrentPublishersEachStoreTheirOwnMessages() throws Exception
    {
        final int threads = 4;
        final int each = 5_000;
        try (MessageBus bus = MessageBuses.connect(new BusConfig().url("embedded:").maxInFlight(8).conclude()))
        {
            final String subject = "agents.many-publishers.in";
            final Map<Long, Long> completed = new ConcurrentHashMap<>();
            final List<MessageError> errors = new CopyOnWriteArrayList<>();
            final PublishCallback callback = (tag, sequence, error) ->
            {
                if (null != error)
                {
                    errors.add(error);
                }
                if (null != completed.put(tag, sequence))
                {
                    errors.add(new MessageError(ErrorCode.TRANSPORT_ERROR, "a second callback for " + tag, Map.of(),
                        null));   // (a callback's own exception would only be logged)
                }
            };
            final PublishPipeline pipeline = bus.pipeline();
            final List<Thread> publishers = new java.util.ArrayList<>();
            for (int t = 0; t < threads; t++)
            {
                final long first = (long)t * each;
                final Thread publisher = new Thread(() ->
                {
                    for (long tag = first; tag < first + each; tag++)
                    {
                        publishNumbered(pipeline, subject, callback, tag);
                    }
                });
                publisher.start();
                publishers.add(publisher);
            }
            for (final Thread t : publishers)
            {
                t.join();
            }
            assertTrue(errors.isEmpty(), errors.toString());
            assertEquals(threads * each, completed.size());
            assertEquals(pipeline.size(), pipeline.remainingCapacity(), "the gate caught up with every commit");
            final Map<Long, Long> storedTag = new ConcurrentHashMap<>();   // stream sequence -> the n it holds
            try (Subscription ignored = bus.subscribe(SubscriptionSpec.durable("many-publishers", subject),
                (m, d) -> storedTag.put(d.streamSequence(), ((Number)((Map<?, ?>)m.payload().tree()).get("n"))
                    .longValue())))
            {
                Await.until(Duration.ofSeconds(20), () -> storedTag.size() == threads * each,
                    () -> storedTag.size() + " of " + threads * each);
            }
            completed.forEach((tag, sequence) -> assertEquals(tag, storedTag.get(sequence),
                "stream position " + sequence + " holds what publish " + tag + " filled"));
        }
    }

    private static void publishNumbered(final PublishPipeline pipeline, final String subject,
        final PublishCallback callback, final long n)
    {
        final long seq = pipeline.claim();
        pipeline.event(seq).subject(subject).from("planner").to("worker").payload(Json.of(Map.of("n", n)))
            .onComplete(callback, n);
        pipeline.commit(seq);
    }

    /** A callback that throws is logged; the stage goes on completing the publishes behind it. */
    @Test
    void aThrowingCallbackDoesNotStopThePipeline() throws Exception
    {
        try (MessageBus bus = MessageBuses.connect(new BusConfig().url("embedded:").maxInFlight(8).conclude()))
        {
            final List<Long> done = new CopyOnWriteArrayList<>();
            final PublishCallback callback = (tag, sequence, error) ->
            {
                done.add(tag);
                if (0 == tag % 2)
                {
                    throw new IllegalStateException("a careless callback");
                }
            };
            for (long i = 0; i < 100; i++)   // many times the ring's 8 slots
            {
                publish(bus.pipeline(), "agents.careless.in", callback, i);
            }
            Await.until(Duration.ofSeconds(10), () -> done.size() == 100, () -> done.size() + " of 100 completed");
        }
    }

    /** The publisher chose the id: a second publish under it (a retry) gets the first one's sequence. */
    private static void retryUnderOneId(final MessageBus bus, final String subject) throws Exception
    {
        final List<Message> received = new CopyOnWriteArrayList<>();
        final Map<Long, Long> sequences = new ConcurrentHashMap<>();
        final String id = new io.agentflow.codec.UlidGenerator().next();
        try (Subscription ignored = bus.subscribe(SubscriptionSpec.durable("retry-" + subject.split("\\.")[1],
            subject).startingAt(SubscriptionSpec.StartPosition.NEW), (m, d) -> received.add(m)))
        {
            final PublishPipeline pipeline = bus.pipeline();
            for (long attempt = 1; attempt <= 3; attempt++)
            {
                final long seq = pipeline.claim();
                pipeline.event(seq).subject(subject).from("planner").to("worker").type(MessageType.EVENT).id(id)
                    .onComplete((tag, sequence, error) -> sequences.put(tag, null == error ? sequence : -1), attempt);
                pipeline.commit(seq);
            }
            final long other = pipeline.claim();
            pipeline.event(other).subject(subject).from("planner").to("worker").onComplete(
                (tag, sequence, error) -> sequences.put(tag, null == error ? sequence : -1), 4L);
            pipeline.commit(other);
            Await.until(Duration.ofSeconds(10), () -> sequences.size() == 4 && received.size() == 2,
                () -> sequences + ", received " + received.size());
        }
        assertEquals(1, new HashSet<>(List.of(sequences.get(1L), sequences.get(2L), sequences.get(3L))).size(),
            "one stream position for the three publishes under one id: " + sequences);
        assertTrue(sequences.get(1L) > 0 && sequences.get(4L) > sequences.get(1L), sequences.toString());
        assertEquals(id, received.get(0).id());
        assertTrue(!id.equals(received.get(1).id()), "the pipeline made a new id for the other");
        final MessageError bad = assertThrows(MessageError.class, () ->
        {
            final long seq = bus.pipeline().claim();
            try
            {
                bus.pipeline().event(seq).id("not-a-ulid");
            }
            finally
            {
                bus.pipeline().commit(seq);
            }
        });
        assertEquals(ErrorCode.VALIDATION_ERROR, bad.code());
    }

    private static void roundTrip(final MessageBus bus, final String subject) throws Exception
    {
        final List<Message> received = new CopyOnWriteArrayList<>();
        final Map<Long, Long> sequences = new ConcurrentHashMap<>();
        final List<MessageError> errors = new CopyOnWriteArrayList<>();
        final PublishCallback callback = (tag, sequence, error) ->
        {
            if (null != error)
            {
                errors.add(error);
            }
            sequences.put(tag, sequence);
        };
        final Json payload = Json.of(Map.of("task", "summarize", "n", 1));
        final Json metadata = Json.of(Map.of("workflow_id", "wf-pipe"));
        try (Subscription ignored = bus.subscribe(SubscriptionSpec.durable("pipe-" + subject.split("\\.")[1], subject)
            .startingAt(SubscriptionSpec.StartPosition.NEW), (m, d) -> received.add(m)))
        {
            final PublishPipeline pipeline = bus.pipeline();
            for (long i = 0; i < COUNT; i++)
            {
                final long seq = pipeline.claim();
                pipeline.event(seq).subject(subject).from("planner").to("worker").type(MessageType.REQUEST)
                    .payload(payload).metadata(metadata).trace(TestMessage.TRACE_ID, TestMessage.SPAN_ID)
                    .onComplete(callback, i);
                pipeline.commit(seq);
            }
            Await.until(Duration.ofSeconds(30), () -> received.size() == COUNT && sequences.size() == COUNT,
                () -> received.size() + " received, " + sequences.size() + " completed of " + COUNT);
        }
        assertTrue(errors.isEmpty(), errors.toString());
        assertEquals(COUNT, new HashSet<>(sequences.values()).size(), "each stored at its own position");
        final Set<String> ids = new HashSet<>();
        for (final Message m : received)
        {
            assertTrue(ids.add(m.id()), "ids unique");
            assertEquals(payload, m.payload());
            assertEquals("wf-pipe", m.workflowId());
            assertEquals(TestMessage.TRACE_ID, m.traceId());
            assertEquals(m.envelopeHash(), m.toBuilder().build().envelopeHash(), "the hash is the canonical form's");
        }
    }

    @Test
    void aFullRingFailsFastOrAfterABoundedWaitAndDropsNothing() throws Exception
    {
        for (final boolean wait : new boolean[] {false, true})
        {
            final CountDownLatch acks = new CountDownLatch(1);   // the broker answers when the test says so
            final List<Long> completed = new CopyOnWriteArrayList<>();
            final BusConfig config = new BusConfig().url("embedded:").maxInFlight(4)
                .publishTimeout(Duration.ofMillis(300)).pipeline("blocking", wait).conclude();
            try (PublishPipeline pipeline = new PublishPipeline(config.pipelineSettings(), new StalledSink(acks)))
            {
                assertEquals(4, pipeline.size());
                for (long i = 0; i < 4; i++)
                {
                    final long seq = pipeline.claim();
                    pipeline.event(seq).subject("agents.full.in").from("a").to("full")
                        .onComplete((tag, s, e) -> completed.add(tag), i);
                    pipeline.commit(seq);
                }
                assertEquals(PublishPipeline.RING_FULL, pipeline.tryClaim(), "tryClaim reports, never waits");
                final long start = System.nanoTime();
                final MessageError full = assertThrows(MessageError.class, pipeline::claim);
                final long ms = (System.nanoTime() - start) / 1_000_000;
                assertEquals(ErrorCode.TRANSPORT_ERROR, full.code());
                assertTrue(full.retryable());
                assertTrue(full.getMessage().contains("publish ring full"), full.getMessage());
                assertTrue(wait ? ms >= 250 : ms < 100, (wait ? "waited" : "failed fast") + ": " + ms + " ms");
                acks.countDown();
                Await.until(Duration.ofSeconds(5), () -> completed.size() == 4, () -> "the 4 accepted completed");
                final long again = pipeline.tryClaim();
                assertTrue(again >= 4, "a slot is free again once the acks came: " + again);
                pipeline.event(again).subject("agents.full.in").from("a").to("full")
                    .onComplete((tag, s, e) -> completed.add(tag), 4L);
                pipeline.commit(again);
                Await.until(Duration.ofSeconds(5), () -> completed.size() == 5, () -> "the fifth completed");
            }
            finally
            {
                acks.countDown();
            }
            assertEquals(List.of(0L, 1L, 2L, 3L, 4L), completed);
        }
    }

    /** A transport whose acks do not come until released; then they come in the order sent, on its own thread. */
    private static final class StalledSink implements PipelineSink
    {
        private final CountDownLatch acks;
        private final java.util.concurrent.BlockingQueue<PublishEvent> sent =
            new java.util.concurrent.LinkedBlockingQueue<>();
        private Completion completion;

        StalledSink(final CountDownLatch acks)
        {
            this.acks = acks;
        }

        @Override
        public void attach(final int ringSize, final Completion completion)
        {
            this.completion = completion;
            final Thread acker = new Thread(() ->
            {
                try
                {
                    acks.await();
                    while (true)
                    {
                        final PublishEvent e = sent.take();
                        e.completed(1);
                        this.completion.completed(e);
                    }
                }
                catch (final InterruptedException ex)
                {
                    Thread.currentThread().interrupt();
                }
            }, "stalled-acks");
            acker.setDaemon(true);
            acker.start();
        }

        @Override
        public boolean send(final PublishEvent event)
        {
            sent.add(event);
            return false;
        }
    }

    @Test
    void anUnknownWaitStrategyIsRejected()
    {
        final MessageError e = assertThrows(MessageError.class, () -> BusConfig.fromEnv(Map.of(
            BusConfig.WAIT_STRATEGY_ENV, "spin-forever")));
        assertTrue(e.getMessage().contains(BusConfig.WAIT_STRATEGY_ENV), e.getMessage());
    }
}
