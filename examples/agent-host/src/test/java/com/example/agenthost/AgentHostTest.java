package com.example.agenthost;

import io.agentflow.bus.BusConfig;
import io.agentflow.bus.ReplayReport;
import io.agentflow.codec.Message;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The host runs in process, as it does by default where no NATS server is around. */
class AgentHostTest
{
    @Test
    void thePlannerGetsAnAnswerAndTheWorkflowReplaysInOrder() throws Exception
    {
        final BusConfig config = new BusConfig().url("embedded:").workflowIndex(true);
        try (AgentHost host = new AgentHost(config))
        {
            host.ask("wf-1", "summarise");
            host.ask("wf-1", "translate");
            final long deadline = System.nanoTime() + 10_000_000_000L;
            while (host.answers() < 2 && System.nanoTime() < deadline)
            {
                Thread.sleep(10);
            }
            assertEquals(2, host.answers());

            final List<Message> history = new ArrayList<>();
            final ReplayReport report = host.history("wf-1", history);
            assertTrue(report.allVerified(), report.toString());
            assertEquals(4, history.size(), "two requests and two answers, found on agent subjects");
            assertEquals("planner", history.get(0).from());
        }
    }
}
