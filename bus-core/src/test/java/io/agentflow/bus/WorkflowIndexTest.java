package io.agentflow.bus;

import io.agentflow.bus.jetstream.JetStreamBus;
import io.agentflow.bus.wire.Streams;
import io.agentflow.bus.wire.Subjects;
import io.agentflow.codec.Message;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The workflow index over JetStream when its indexer is not keeping up: what the indexer has not acknowledged yet is
 * found by scanning that tail only, a bus without the setting replays through another's index, and a restarted
 * indexer resumes where its durable consumer stopped.
 */
@Timeout(120)
class WorkflowIndexTest extends ProvisionedServerTest
{
    @Test
    void aReplayFindsWhatTheIndexerHasNotReadYetByScanningOnlyThatTail()
    {
        final String workflow = "wf-tail";
        final List<Message> sent = new ArrayList<>();
        try (JetStreamBus indexing = JetStreamBus.connect(TestConfigs.of(server).workflowIndex(true)))
        {
            publish(indexing, workflow, 0, 20, sent);
            JetStreamBusContractTest.awaitIndexed(indexing);
        }
        // the indexer is gone: these are in no index record
        publish(bus, workflow, 20, 30, sent);
        final long noise = 50;
        for (int i = 0; i < noise; i++)
        {
            bus.publishAndWait(Subjects.agentIn("bystander"), TestMessage.to("bystander", i));
        }

        final List<Message> replayed = new ArrayList<>();
        final ReplayReport tail = bus.replay(workflow, Instant.EPOCH, (m, d) -> replayed.add(m));
        assertEquals(sent, replayed, "indexed and not yet indexed, in publish order");
        assertTrue(tail.allVerified(), tail.toString());
        // the 20 indexed ones are fetched, the tail (10 of the workflow's and 50 others) scanned, then the 10 fetched
        assertTrue(tail.examined() >= 20 + 10 + noise + 10 && tail.examined() <= 2 * 20 + 10 + noise + 10,
            "examined " + tail.examined());

        try (JetStreamBus indexing = JetStreamBus.connect(TestConfigs.of(server).workflowIndex(true)))
        {
            JetStreamBusContractTest.awaitIndexed(indexing);   // resumes at its consumer's position
            replayed.clear();
            final ReplayReport indexed = indexing.replay(workflow, Instant.EPOCH, (m, d) -> replayed.add(m));
            assertEquals(sent, replayed);
            assertTrue(indexed.examined() <= 2 * sent.size(), "no tail left to scan: examined " + indexed.examined());
        }
        assertEquals(0, bus.admin().consumer(Streams.MESSAGES, Streams.WORKFLOW_INDEXER).pending());
    }

    @Test
    void aForgedIndexRecordPointingAtAnotherWorkflowsMessageIsReportedNotDelivered() throws Exception
    {
        final long other = bus.publishAndWait(Subjects.agentIn("worker-9"),
            TestMessage.inWorkflow("wf-someone-else", 1)).sequence();
        final List<Message> sent = new ArrayList<>();
        try (JetStreamBus indexing = JetStreamBus.connect(TestConfigs.of(server).workflowIndex(true)))
        {
            publish(indexing, "wf-victim", 0, 3, sent);
            JetStreamBusContractTest.awaitIndexed(indexing);
        }
        // someone allowed to write index records points the victim's replay at a valid message of another workflow
        try (io.nats.client.Connection raw = io.nats.client.Nats.connect(server.url()))
        {
            raw.jetStream().publish(Subjects.workflowIndex("wf-victim"),
                String.valueOf(other).getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        }

        final List<Message> replayed = new ArrayList<>();
        final ReplayReport report = bus.replay("wf-victim", Instant.EPOCH, (m, d) -> replayed.add(m));
        assertEquals(sent, replayed, "only the victim's own messages");
        assertEquals(1, report.failures().size(), report.failures().toString());
        assertEquals("index_mismatch", report.failures().get(0).code());
        assertEquals(other, report.failures().get(0).streamSequence());
    }

    private static void publish(final JetStreamBus through, final String workflow, final int from, final int to,
        final List<Message> sent)
    {
        for (int i = from; i < to; i++)
        {
            final Message m = TestMessage.inWorkflow(workflow, i);
            sent.add(m);
            through.publishAndWait(Subjects.agentIn("worker-" + i % 3), m);
        }
    }
}
