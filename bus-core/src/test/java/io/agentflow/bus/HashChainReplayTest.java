package io.agentflow.bus;

import io.agentflow.bus.security.ChainBreak;
import io.agentflow.bus.security.WorkflowChain;
import io.agentflow.bus.wire.Streams;
import io.agentflow.bus.wire.Subjects;
import io.agentflow.codec.Message;
import io.agentflow.codec.MessageType;
import io.nats.client.Connection;
import io.nats.client.Nats;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Hash chains per workflow (issue 8): a replay names a message deleted from the stream with raw jnats, a message
 * stored out of order, and one inserted by someone who can publish valid messages; an intact chain replays clean.
 */
@Timeout(60)
class HashChainReplayTest extends ProvisionedServerTest
{
    @Test
    void anIntactChainOfTwoSendersReplaysClean()
    {
        final List<Message> chain = chained("wf-intact", 6);
        chain.forEach(m -> bus.publishAndWait(subjectOf(m), m));
        final ReplayReport report = bus.replay("wf-intact", Instant.EPOCH, (m, d) -> { });
        assertEquals(6, report.verified());
        assertTrue(report.allVerified(), report.chainBreaks().toString());
    }

    @Test
    void aMessageDeletedFromTheStreamIsReportedAsExactlyThatGap() throws Exception
    {
        final List<Message> chain = chained("wf-deleted", 10);
        final List<Long> sequences = new ArrayList<>();
        chain.forEach(m -> sequences.add(bus.publishAndWait(subjectOf(m), m).sequence()));
        final int victim = 6;   // the orchestrator's 4th message (senders alternate)
        try (Connection raw = Nats.connect(server.url()))
        {
            assertTrue(raw.jetStreamManagement().deleteMessage(Streams.MESSAGES, sequences.get(victim)));
        }

        final ReplayReport report = bus.replay("wf-deleted", Instant.EPOCH, (m, d) -> { });
        assertEquals(9, report.verified(), "every remaining message verifies on its own");
        assertEquals(1, report.chainBreaks().size(), report.chainBreaks().toString());
        final ChainBreak gap = report.chainBreaks().get(0);
        assertEquals("gap", gap.kind());
        assertEquals(chain.get(victim + 2).id(), gap.id(), "shows at the orchestrator's next message");
        assertTrue(gap.detail().contains("wf-deleted/orchestrator/" + session(chain.get(0)) + ": seq 4 missing "
            + "between id " + chain.get(victim - 2).id() + " (seq 3"), gap.detail());
    }

    @Test
    void aMessageStoredOutOfOrderIsReportedAsReordered()
    {
        final WorkflowChain wf = new WorkflowChain("wf-reordered");
        final List<Message> ms = new ArrayList<>();
        for (int i = 0; i < 5; i++)
        {
            ms.add(wf.next(draft("orchestrator", i)));
        }
        for (final int i : new int[] {0, 1, 3, 2, 4})   // seq 4 stored before seq 3
        {
            bus.publishAndWait(Subjects.workflowIn("wf-reordered"), ms.get(i));
        }
        final ReplayReport report = bus.replay("wf-reordered", Instant.EPOCH, (m, d) -> { });
        assertEquals(1, report.chainBreaks().size(), report.chainBreaks().toString());
        assertEquals("reordered", report.chainBreaks().get(0).kind());
        assertEquals(ms.get(2).id(), report.chainBreaks().get(0).id());
        assertTrue(report.chainBreaks().get(0).detail().contains("seq 3 stored after seq 4"),
            report.chainBreaks().get(0).detail());
    }

    @Test
    void aMessageInsertedByAnotherPublisherIsReportedAsInserted() throws Exception
    {
        final WorkflowChain wf = new WorkflowChain("wf-inserted");
        final List<Message> ms = new ArrayList<>();
        for (int i = 0; i < 4; i++)
        {
            ms.add(wf.next(draft("orchestrator", i)));
        }
        bus.publishAndWait(Subjects.workflowIn("wf-inserted"), ms.get(0));
        bus.publishAndWait(Subjects.workflowIn("wf-inserted"), ms.get(1));
        // someone who saw seq 2 writes a valid message claiming seq 3 of the orchestrator's chain
        final Message forged = draft("orchestrator", 99).toBuilder().metadata(Map.of("workflow_id", "wf-inserted",
            WorkflowChain.SESSION, wf.session(), WorkflowChain.SEQ, 3, WorkflowChain.PREV,
            WorkflowChain.link(ms.get(1)))).build();
        try (Connection raw = Nats.connect(server.url()))
        {
            raw.jetStream().publish(Subjects.workflowIn("wf-inserted"), forged.toString()
                .getBytes(StandardCharsets.UTF_8));
        }
        bus.publishAndWait(Subjects.workflowIn("wf-inserted"), ms.get(2));
        bus.publishAndWait(Subjects.workflowIn("wf-inserted"), ms.get(3));

        final ReplayReport report = bus.replay("wf-inserted", Instant.EPOCH, (m, d) -> { });
        assertEquals(5, report.verified());
        assertEquals(1, report.chainBreaks().size(), report.chainBreaks().toString());
        final ChainBreak inserted = report.chainBreaks().get(0);
        assertEquals("inserted", inserted.kind());
        assertEquals(forged.id(), inserted.id(), "the forgery, not the genuine message it preceded");
        assertTrue(inserted.detail().contains("seq 3 is claimed by id " + forged.id()) && inserted.detail().contains(
            "as well as by id " + ms.get(2).id()), inserted.detail());
    }

    private static String session(final Message m)
    {
        return (String)((Map<?, ?>)m.metadata().tree()).get(WorkflowChain.SESSION);
    }

    /** Alternating senders, each with its own chain in the same workflow. */
    private static List<Message> chained(final String workflowId, final int count)
    {
        final WorkflowChain chain = new WorkflowChain(workflowId);
        final List<Message> out = new ArrayList<>();
        for (int i = 0; i < count; i++)
        {
            out.add(chain.next(draft(0 == i % 2 ? "orchestrator" : "worker", i)));
        }
        return out;
    }

    private static Message draft(final String from, final int n)
    {
        return Message.builder().from(from).to("orchestrator".equals(from) ? "worker" : "orchestrator")
            .type(MessageType.EVENT).payload(Map.of("step", n)).build();
    }

    private static String subjectOf(final Message m)
    {
        return "orchestrator".equals(m.from()) ? Subjects.workflowIn(m.workflowId()) : Subjects.workflowOut(
            m.workflowId());
    }
}
