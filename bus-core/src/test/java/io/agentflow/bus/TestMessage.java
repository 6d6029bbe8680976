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

    /**
     * @return {@code canonical} (a message's canonical JSON) with its {@code envelope_hash} computed again over the
     * rest: bytes whose hash is right whatever else was changed, as a hostile agent with valid credentials would send.
     */
    static byte[] rehashed(final String canonical)
    {
        final int at = canonical.indexOf("\"envelope_hash\":\"");
        final int end = at + "\"envelope_hash\":\"".length() + 64 + 2;   // the 64 hex digits, the quote, the comma
        final String without = canonical.substring(0, at) + canonical.substring(end);
        try
        {
            final byte[] digest = java.security.MessageDigest.getInstance("SHA-256")
                .digest(without.getBytes(java.nio.charset.StandardCharsets.UTF_8));
            return (canonical.substring(0, at + "\"envelope_hash\":\"".length())
                + java.util.HexFormat.of().formatHex(digest) + canonical.substring(end - 2))
                .getBytes(java.nio.charset.StandardCharsets.UTF_8);
        }
        catch (final java.security.NoSuchAlgorithmException ex)
        {
            throw new IllegalStateException(ex);
        }
    }

    static Message inWorkflow(final String workflowId, final int n)
    {
        return Message.builder().from("orchestrator").to("worker").type(MessageType.EVENT)
            .payload(Map.of("step", n))
            .metadata(Map.of("workflow_id", workflowId))
            .build();
    }
}
