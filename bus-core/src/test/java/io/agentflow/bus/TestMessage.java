package io.agentflow.bus;

import io.agentflow.codec.Message;
import io.agentflow.codec.MessageType;

import java.util.Map;

/** Messages for bus tests. */
final class TestMessage
{
    static final String TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736";
    static final String SPAN_ID = "00f067aa0ba902b7";

    private TestMessage()
    {
    }

    static Message to(final String agent, final int n)
    {
        return Message.builder().from("tester").to(agent).type(MessageType.REQUEST)
            .traceId(TRACE_ID).spanId(SPAN_ID)
            .payload(Map.of("n", n, "text", "message " + n))
            .build();
    }

    static Message inWorkflow(final String workflowId, final int n)
    {
        return Message.builder().from("orchestrator").to("worker").type(MessageType.EVENT)
            .payload(Map.of("step", n))
            .metadata(Map.of("workflow_id", workflowId))
            .build();
    }
}
