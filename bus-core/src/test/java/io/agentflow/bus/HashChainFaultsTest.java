package io.agentflow.bus;

import io.agentflow.bus.jetstream.JetStreamBus;
import io.agentflow.bus.security.WorkflowChain;
import io.agentflow.bus.wire.Streams;
import io.agentflow.bus.wire.Subjects;
import io.agentflow.codec.Message;
import io.agentflow.codec.MessageType;
import io.nats.client.Connection;
import io.nats.client.Nats;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 17, finding 3: what the hash chains got wrong. Each case replays a workflow from a real nats-server; each
 * read as a false or missing break before the fix.
 */
@Timeout(60)
class HashChainFaultsTest extends ProvisionedServerTest
{
    /** With an SDK, publishing writes the PRODUCER span's ids after the chain linked the message. */
    @Test
    void anIntactChainReplaysCleanWithAnOpenTelemetrySdk()
    {
        final InMemorySpanExporter spans = InMemorySpanExporter.create();
        try (SdkTracerProvider provider = SdkTracerProvider.builder()
                .addSpanProcessor(SimpleSpanProcessor.create(spans)).build();
            JetStreamBus traced = JetStreamBus.connect(TestConfigs.of(server)
                .openTelemetry(OpenTelemetrySdk.builder().setTracerProvider(provider).build()).conclude()))
        {
            final WorkflowChain chain = new WorkflowChain("wf-traced");
            for (int i = 0; i < 4; i++)
            {
                traced.publishAndWait(Subjects.workflowIn("wf-traced"), chain.next(draft("orchestrator", i)));
            }
            assertEquals(4, spans.getFinishedSpanItems().size(), "traced: the envelopes carry the spans' ids");
        }
        final ReplayReport report = bus.replay("wf-traced", Instant.EPOCH, (m, d) -> { });
        assertEquals(4, report.verified());
        assertTrue(report.allVerified(), report.chainBreaks().toString());
    }

    /** A sender that restarts starts a new chain; it used to claim places 1, 2... of its old one. */
    @Test
    void aSenderThatRestartsIsNotAnInsertion()
    {
        for (int life = 0; life < 2; life++)
        {
            final WorkflowChain chain = new WorkflowChain("wf-restarted");
            for (int i = 0; i < 3; i++)
            {
                bus.publishAndWait(Subjects.workflowIn("wf-restarted"), chain.next(draft("orchestrator", i)));
            }
        }
        final ReplayReport report = bus.replay("wf-restarted", Instant.EPOCH, (m, d) -> { });
        assertEquals(6, report.verified());
        assertTrue(report.allVerified(), report.chainBreaks().toString());
    }

    /** The same message stored twice (after the duplicate window, or by a raw writer) is a duplicate. */
    @Test
    void aMessageStoredTwiceIsADuplicateNotAnInsertion() throws Exception
    {
        final WorkflowChain chain = new WorkflowChain("wf-twice");
        final List<Message> ms = new ArrayList<>();
        for (int i = 0; i < 3; i++)
        {
            ms.add(chain.next(draft("orchestrator", i)));
            bus.publishAndWait(Subjects.workflowIn("wf-twice"), ms.get(i));
        }
        try (Connection raw = Nats.connect(server.url()))   // no Nats-Msg-Id: the broker stores it again
        {
            raw.jetStream().publish(Subjects.workflowIn("wf-twice"), ms.get(1).toString()
                .getBytes(StandardCharsets.UTF_8));
        }
        final ReplayReport report = bus.replay("wf-twice", Instant.EPOCH, (m, d) -> { });
        assertEquals(1, report.chainBreaks().size(), report.chainBreaks().toString());
        assertEquals("duplicate", report.chainBreaks().get(0).kind());
        assertEquals(ms.get(1).id(), report.chainBreaks().get(0).id());
    }

    /** Deleting a chain's first message left nothing to notice it; a replay from the start now does. */
    @Test
    void aDeletedHeadIsAGapWhenReplayingFromTheStart() throws Exception
    {
        final WorkflowChain chain = new WorkflowChain("wf-headless");
        final List<Long> sequences = new ArrayList<>();
        final List<Message> ms = new ArrayList<>();
        for (int i = 0; i < 3; i++)
        {
            ms.add(chain.next(draft("orchestrator", i)));
            sequences.add(bus.publishAndWait(Subjects.workflowIn("wf-headless"), ms.get(i)).sequence());
        }
        try (Connection raw = Nats.connect(server.url()))
        {
            assertTrue(raw.jetStreamManagement().deleteMessage(Streams.MESSAGES, sequences.get(0)));
        }
        final ReplayReport report = bus.replay("wf-headless", Instant.EPOCH, (m, d) -> { });
        assertEquals(1, report.chainBreaks().size(), report.chainBreaks().toString());
        assertEquals("gap", report.chainBreaks().get(0).kind());
        assertEquals(ms.get(1).id(), report.chainBreaks().get(0).id());
        assertTrue(report.chainBreaks().get(0).detail().contains("seq 1 missing before"),
            report.chainBreaks().get(0).detail());
    }

    /** {@code chain_seq: 1.9} was read as place 1. */
    @Test
    void aChainSeqThatIsNotAPositiveIntegerIsMalformed()
    {
        final WorkflowChain chain = new WorkflowChain("wf-malformed");
        final Message first = chain.next(draft("orchestrator", 0));
        final Map<String, Object> meta = new LinkedHashMap<>((Map<String, Object>)first.metadata().tree());
        meta.put(WorkflowChain.SEQ, 1.9);
        final Message odd = draft("orchestrator", 1).toBuilder().metadata(meta).build();
        bus.publishAndWait(Subjects.workflowIn("wf-malformed"), first);
        bus.publishAndWait(Subjects.workflowIn("wf-malformed"), odd);
        final ReplayReport report = bus.replay("wf-malformed", Instant.EPOCH, (m, d) -> { });
        assertEquals(1, report.chainBreaks().size(), report.chainBreaks().toString());
        assertEquals("malformed", report.chainBreaks().get(0).kind());
        assertEquals(odd.id(), report.chainBreaks().get(0).id());
    }

    private static Message draft(final String from, final int n)
    {
        return Message.builder().from(from).to("worker").type(MessageType.EVENT).payload(Map.of("step", n)).build();
    }
}
