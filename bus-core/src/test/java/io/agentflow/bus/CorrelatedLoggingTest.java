package io.agentflow.bus;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.agentflow.bus.inprocess.InProcessBus;
import io.agentflow.bus.observe.MessageLog;
import io.agentflow.bus.wire.Subjects;
import io.agentflow.codec.Message;
import io.agentflow.codec.MessageType;
import io.agentflow.testsupport.Await;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/** Lines logged about a message carry its ids, on the consumer's threads as well as the publisher's. */
@Timeout(30)
class CorrelatedLoggingTest
{
    private static final org.slf4j.Logger APP = LoggerFactory.getLogger("app.worker");
    private final ListAppender<ILoggingEvent> appender = new ListAppender<>();
    private Logger root;

    @BeforeEach
    void capture()
    {
        root = (Logger)LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        appender.start();
        root.addAppender(appender);
        ((Logger)LoggerFactory.getLogger("app")).setLevel(ch.qos.logback.classic.Level.INFO);
    }

    @AfterEach
    void release()
    {
        root.detachAppender(appender);
    }

    @Test
    void shouldPutTheMessagesIdsOnTheHandlersLines()
    {
        final Message sent = Message.builder().from("planner").to("worker-9").type(MessageType.REQUEST)
            .traceId(TestMessage.TRACE_ID).spanId(TestMessage.SPAN_ID).metadata(Map.of("workflow_id", "wf-42"))
            .build();
        try (InProcessBus bus = new InProcessBus(new BusConfig().url("embedded:").conclude()))
        {
            bus.subscribe(SubscriptionSpec.durable("logs", "agents.*.in"), (m, d) -> APP.info("working on it"));
            bus.publishAndWait(Subjects.agentIn("worker-9"), sent);
            final ILoggingEvent line = awaitLine("working on it");
            final Map<String, String> mdc = line.getMDCPropertyMap();
            assertEquals(TestMessage.TRACE_ID, mdc.get(MessageLog.TRACE_ID));
            assertEquals(TestMessage.SPAN_ID, mdc.get(MessageLog.SPAN_ID), "no SDK: the envelope's ids");
            assertEquals(sent.id(), mdc.get(MessageLog.MESSAGE_ID));
            assertEquals("wf-42", mdc.get(MessageLog.WORKFLOW_ID));
            assertEquals("worker-9", mdc.get(MessageLog.AGENT_ID));
        }
    }

    @Test
    void shouldUseTheConsumerSpansIdsWhenTracing()
    {
        final InMemorySpanExporter exporter = InMemorySpanExporter.create();
        try (SdkTracerProvider provider = SdkTracerProvider.builder()
                .addSpanProcessor(SimpleSpanProcessor.create(exporter)).build();
            InProcessBus bus = new InProcessBus(new BusConfig().url("embedded:")
                .openTelemetry(OpenTelemetrySdk.builder().setTracerProvider(provider).build()).conclude()))
        {
            bus.subscribe(SubscriptionSpec.durable("traced-logs", "agents.*.in"), (m, d) -> APP.info("traced work"));
            bus.publishAndWait(Subjects.agentIn("worker-1"), Message.builder().from("a").to("worker-1")
                .type(MessageType.EVENT).build());
            final Map<String, String> mdc = awaitLine("traced work").getMDCPropertyMap();
            Await.until(Duration.ofSeconds(10), () -> exporter.getFinishedSpanItems().stream()
                .anyMatch(s -> io.opentelemetry.api.trace.SpanKind.CONSUMER == s.getKind()), () -> "consumer span");
            final SpanData consumer = exporter.getFinishedSpanItems().stream()
                .filter(s -> io.opentelemetry.api.trace.SpanKind.CONSUMER == s.getKind()).findFirst().orElseThrow();
            assertEquals(consumer.getTraceId(), mdc.get(MessageLog.TRACE_ID));
            assertEquals(consumer.getSpanId(), mdc.get(MessageLog.SPAN_ID));
        }
    }

    @Test
    void shouldLetAPublisherScopeItsOwnLinesAndRestoreTheMdc()
    {
        final Message m = TestMessage.inWorkflow("wf-7", 1);
        MDC.put(MessageLog.AGENT_ID, "outer");
        try (MessageLog.Scope ignored = MessageLog.open(m, m.from()))
        {
            APP.info("about to publish");
        }
        assertEquals("outer", MDC.get(MessageLog.AGENT_ID), "the outer value is back");
        assertNull(MDC.get(MessageLog.MESSAGE_ID));
        MDC.clear();
        final Map<String, String> mdc = awaitLine("about to publish").getMDCPropertyMap();
        assertEquals(m.id(), mdc.get(MessageLog.MESSAGE_ID));
        assertEquals("wf-7", mdc.get(MessageLog.WORKFLOW_ID));
        assertEquals("orchestrator", mdc.get(MessageLog.AGENT_ID));
    }

    @Test
    void shouldAuditAHashMismatchWithExpectedAndActualHashes()
    {
        final Message original = TestMessage.to("victim", 1);
        try (InProcessBus bus = new InProcessBus(new BusConfig().url("embedded:").conclude()))
        {
            bus.subscribe(SubscriptionSpec.durable("audit", "agents.*.in"), (m, d) -> { });
            bus.publishWire("agents.victim.in", original.toString().replace("\"n\":1", "\"n\":2")
                .getBytes(StandardCharsets.UTF_8));
            final ILoggingEvent audit = awaitLine("hash_mismatch message_id=");
            assertEquals("io.agentflow.audit", audit.getLoggerName());
            assertEquals(original.id(), audit.getMDCPropertyMap().get(MessageLog.MESSAGE_ID));
            assertEquals(original.envelopeHash(), audit.getMDCPropertyMap().get("actual_hash"));
            assertEquals(64, audit.getMDCPropertyMap().get("expected_hash").length());
            assertEquals(true, audit.getFormattedMessage().contains("subject=agents.victim.in"));
        }
    }

    private ILoggingEvent awaitLine(final String text)
    {
        Await.until(Duration.ofSeconds(10), () -> find(text) != null, () -> "a line with '" + text + "': "
            + appender.list);
        return find(text);
    }

    private ILoggingEvent find(final String text)
    {
        final List<ILoggingEvent> events = List.copyOf(appender.list);
        return events.stream().filter(e -> e.getFormattedMessage().contains(text)).findFirst().orElse(null);
    }
}
