package io.agentflow.bus;

import io.agentflow.bus.inprocess.InProcessBus;
import io.agentflow.bus.jetstream.JetStreamBus;
import io.agentflow.bus.wire.Subjects;
import io.agentflow.codec.EnvelopeEncoder;
import io.agentflow.codec.Message;
import io.agentflow.codec.MessageType;
import io.agentflow.testsupport.Await;
import io.agentflow.testsupport.NatsTestServer;
import io.nats.client.Connection;
import io.nats.client.Nats;
import io.nats.client.api.MessageInfo;
import io.nats.client.impl.Headers;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.TraceFlags;
import io.opentelemetry.api.trace.TraceState;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapGetter;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import io.opentelemetry.sdk.trace.samplers.Sampler;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** One trace across every hop, with the real OpenTelemetry SDK and an in-memory exporter. */
@Timeout(60)
class TracingTest
{
    private static final Duration WAIT = Duration.ofSeconds(15);
    private static final TextMapGetter<Headers> GETTER = new TextMapGetter<>()
    {
        @Override
        public Iterable<String> keys(final Headers carrier)
        {
            return carrier.keySet();
        }

        @Override
        public String get(final Headers carrier, final String key)
        {
            return carrier.getFirst(key);
        }
    };
    private static NatsTestServer server;

    private InMemorySpanExporter exporter;
    private SdkTracerProvider provider;
    private OpenTelemetrySdk otel;

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
    void sdk()
    {
        exporter = InMemorySpanExporter.create();
        provider = SdkTracerProvider.builder().addSpanProcessor(SimpleSpanProcessor.create(exporter))
            .setSampler(Sampler.parentBased(Sampler.alwaysOn())).build();
        otel = OpenTelemetrySdk.builder().setTracerProvider(provider).build();   // not global: one per test
    }

    @AfterEach
    void closeSdk()
    {
        provider.close();
    }

    @ParameterizedTest
    @ValueSource(strings = {"nats", "embedded"})
    void shouldCarryOneTraceAcrossThreeHops(final String transport)
    {
        final List<Message> atC = new CopyOnWriteArrayList<>();
        try (MessageBus bus = bus(transport))
        {
            final String b = Subjects.agentIn("b-" + transport);
            final String c = Subjects.agentIn("c-" + transport);
            bus.subscribe(SubscriptionSpec.durable("hop-b-" + transport, b), (m, d) ->
                bus.publishAndWait(c, plain("b", "c")));   // inside B's CONSUMER span
            bus.subscribe(SubscriptionSpec.durable("hop-c-" + transport, c), (m, d) -> atC.add(m));

            final Message first = plain("a", "b");
            bus.publishAndWait(b, first);   // agent A, with no span of its own
            Await.until(WAIT, () -> 1 == atC.size() && exporter.getFinishedSpanItems().size() >= 4,
                () -> "the third hop and 4 spans: " + exporter.getFinishedSpanItems());

            final SpanData producerA = span(SpanKind.PRODUCER, b);
            final SpanData consumerB = span(SpanKind.CONSUMER, b);
            final SpanData producerB = span(SpanKind.PRODUCER, c);
            final SpanData consumerC = span(SpanKind.CONSUMER, c);
            final String trace = producerA.getTraceId();
            for (final SpanData s : List.of(consumerB, producerB, consumerC))
            {
                assertEquals(trace, s.getTraceId(), "one trace: " + s);
            }
            assertEquals(producerA.getSpanId(), consumerB.getParentSpanId());
            assertEquals(consumerB.getSpanId(), producerB.getParentSpanId());
            assertEquals(producerB.getSpanId(), consumerC.getParentSpanId());
            assertEquals("nats", consumerC.getAttributes().get(AttributeKey.stringKey("messaging.system")));
            assertEquals(c, consumerC.getAttributes().get(AttributeKey.stringKey("messaging.destination.name")));
            assertEquals("process", consumerC.getAttributes().get(AttributeKey.stringKey("messaging.operation.type")));
            assertEquals("send", producerA.getAttributes().get(AttributeKey.stringKey("messaging.operation.type")));
            assertEquals(first.id(), producerA.getAttributes().get(AttributeKey.stringKey("messaging.message.id")));
            assertEquals("publish agents.*.in", producerA.getName());
            // the envelope agrees with the trace: its ids are the producer span's, and they are hashed in
            assertEquals(trace, atC.get(0).traceId());
            assertEquals(producerB.getSpanId(), atC.get(0).spanId());
        }
    }

    /**
     * With an SDK the span's ids go into the envelope; they are set before encoding, so a publish encodes and hashes
     * once (before one outbound edge: three encodings and two hashes, the message rebuilt with the span's ids).
     */
    @ParameterizedTest
    @ValueSource(strings = {"nats", "embedded"})
    void shouldEncodeAndHashEachPublishOnceWithAnSdkInstalled(final String transport) throws Exception
    {
        final int n = 20;
        final List<Message> received = new CopyOnWriteArrayList<>();
        try (MessageBus bus = bus(transport))
        {
            final String subject = Subjects.agentIn("once-" + transport);
            bus.subscribe(SubscriptionSpec.durable("once-" + transport, subject), (m, d) -> received.add(m));
            final List<Message> messages = new ArrayList<>();
            for (int i = 0; i < n; i++)
            {
                messages.add(plain("a", "once-" + transport));   // built (and hashed) before counting
            }
            final long[] counted = new long[2];
            final Thread publisher = new Thread(() ->   // a thread of its own: its encoder counts only these
            {
                final EnvelopeEncoder encoder = EnvelopeEncoder.threadLocal();
                final long encodings = encoder.encodings();
                final long hashes = encoder.hashes();
                messages.forEach(m -> bus.publishAndWait(subject, m));
                counted[0] = encoder.encodings() - encodings;
                counted[1] = encoder.hashes() - hashes;
            });
            publisher.start();
            publisher.join(20_000);
            Await.until(WAIT, () -> n == received.size(), () -> received.size() + " of " + n);
            assertEquals(n, counted[0], "encodings");
            assertEquals(n, counted[1], "hashes");
            final SpanData producer = span(SpanKind.PRODUCER, subject);
            assertTrue(received.stream().anyMatch(m -> producer.getSpanId().equals(m.spanId())),
                "the envelopes carry the producer spans' ids");
        }
    }

    @Test
    void shouldWriteHeadersThatOpenTelemetrysOwnPropagatorReads() throws Exception
    {
        final PublishAck ack;
        try (MessageBus bus = bus("nats"))
        {
            ack = bus.publishAndWait(Subjects.agentIn("reader"), plain("a", "reader"));
        }
        try (Connection raw = Nats.connect(server.url()))
        {
            final MessageInfo stored = raw.jetStreamManagement().getMessage(ack.stream(), ack.sequence());
            final SpanContext fromHeaders = Span.fromContext(W3CTraceContextPropagator.getInstance()
                .extract(Context.root(), stored.getHeaders(), GETTER)).getSpanContext();
            final SpanData producer = span(SpanKind.PRODUCER, Subjects.agentIn("reader"));
            final String body = new String(stored.getData(), java.nio.charset.StandardCharsets.UTF_8);
            assertEquals(producer.getTraceId(), fromHeaders.getTraceId());
            assertEquals(producer.getSpanId(), fromHeaders.getSpanId());
            assertTrue(fromHeaders.isSampled());
            assertTrue(body.contains("\"trace_id\":\"" + producer.getTraceId() + "\""), body);
            assertTrue(body.contains("\"span_id\":\"" + producer.getSpanId() + "\""), body);
        }
    }

    @Test
    void shouldContinueATraceFromHeadersThatOpenTelemetryWrote() throws Exception
    {
        final Span foreign = otel.getTracer("another-client").spanBuilder("foreign publish")
            .setSpanKind(SpanKind.PRODUCER).startSpan();
        final Headers headers = new Headers();
        W3CTraceContextPropagator.getInstance().inject(Context.root().with(foreign), headers, Headers::put);
        foreign.end();
        rawPublish("agents.from-otel.in", headers, plain("other", "from-otel"));

        assertConsumerParent("agents.from-otel.in", foreign.getSpanContext().getTraceId(),
            foreign.getSpanContext().getSpanId());
    }

    @Test
    void shouldContinueATraceFromTheEnvelopeAloneWhenThereAreNoHeaders() throws Exception
    {
        final String trace = "0af7651916cd43dd8448eb211c80319c";
        final String parent = "b7ad6b7169203331";
        rawPublish("agents.no-headers.in", new Headers(), Message.builder().from("x").to("no-headers")
            .type(MessageType.EVENT).traceId(trace).spanId(parent).build());

        assertConsumerParent("agents.no-headers.in", trace, parent);
    }

    @Test
    void shouldRespectAnUnsampledParent() throws Exception
    {
        final SpanContext unsampled = SpanContext.create("0af7651916cd43dd8448eb211c80319c", "b7ad6b7169203331",
            TraceFlags.getDefault(), TraceState.getDefault());
        final Headers headers = new Headers();
        W3CTraceContextPropagator.getInstance().inject(Context.root().with(Span.wrap(unsampled)), headers,
            Headers::put);
        rawPublish("agents.unsampled.in", headers, plain("x", "unsampled"));

        final AtomicInteger handled = new AtomicInteger();
        try (MessageBus bus = bus("nats");
            Subscription s = bus.subscribe(SubscriptionSpec.durable("unsampled", "agents.unsampled.in"),
                (m, d) -> handled.incrementAndGet()))
        {
            Await.until(WAIT, () -> 1 == handled.get(), () -> "handled");
        }
        assertTrue(exporter.getFinishedSpanItems().stream().noneMatch(sd -> SpanKind.CONSUMER == sd.getKind()),
            "an unsampled trace records no consumer span: " + exporter.getFinishedSpanItems());
    }

    private void assertConsumerParent(final String subject, final String trace, final String parentSpan)
    {
        final AtomicInteger handled = new AtomicInteger();
        try (MessageBus bus = bus("nats");
            Subscription s = bus.subscribe(SubscriptionSpec.durable(subject.replace('.', '-'), subject),
                (m, d) -> handled.incrementAndGet()))
        {
            Await.until(WAIT, () -> 1 == handled.get() && exporter.getFinishedSpanItems().stream()
                .anyMatch(sd -> SpanKind.CONSUMER == sd.getKind()), () -> "the consumer span");
        }
        final SpanData consumer = span(SpanKind.CONSUMER, subject);
        assertEquals(trace, consumer.getTraceId());
        assertEquals(parentSpan, consumer.getParentSpanId());
    }

    private void rawPublish(final String subject, final Headers headers, final Message m) throws Exception
    {
        try (Connection raw = Nats.connect(server.url()))
        {
            raw.jetStream().publish(subject, headers, new EnvelopeEncoder().wireBytes(m));
        }
    }

    private MessageBus bus(final String transport)
    {
        return "nats".equals(transport) ? JetStreamBus.connect(TestConfigs.of(server).openTelemetry(otel))
            : new InProcessBus(new BusConfig().url("embedded:").openTelemetry(otel).conclude());
    }

    private SpanData span(final SpanKind kind, final String subject)
    {
        return exporter.getFinishedSpanItems().stream()
            .filter(s -> kind == s.getKind()
                && subject.equals(s.getAttributes().get(AttributeKey.stringKey("messaging.destination.name"))))
            .findFirst().orElseThrow(() -> new AssertionError("no " + kind + " span on " + subject + ": "
                + exporter.getFinishedSpanItems()));
    }

    private static Message plain(final String from, final String to)
    {
        return Message.builder().from(from).to(to).type(MessageType.REQUEST).build();
    }
}
