package io.agentflow.bus;

import io.agentflow.codec.Message;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Links a workflow's messages into hash chains, one per sender: each message gets {@value #SEQ} (1, 2, 3...) and
 * {@value #PREV} (the sender's previous message's {@code envelope_hash}, empty for the first) in its metadata,
 * and since both are inside the hashed envelope, neither can be changed without changing the hash. Replay
 * verifies the chains ({@link ChainVerifier}) and names a deleted, inserted or reordered message.
 * <p>
 * A chain per sender, not one per workflow: senders of one workflow need not coordinate. Publish chained messages
 * in the order {@link #next} made them, and retry a failed publish with the same message: a message never stored
 * is reported as a gap, which is what it is. Thread-safe.
 */
public final class WorkflowChain
{
    public static final String SEQ = "chain_seq";
    public static final String PREV = "chain_prev";

    private record Link(long seq, String hash)
    {
    }

    private final String workflowId;
    private final Map<String, Link> lastBySender = new HashMap<>();

    public WorkflowChain(final String workflowId)
    {
        this.workflowId = Subjects.token(workflowId, "workflow_id");
    }

    /**
     * @return {@code draft} with {@code workflow_id}, {@value #SEQ} and {@value #PREV} added to its metadata (which
     * must be an object or empty), hashed again; the chain of {@code draft.from()} advances.
     */
    public synchronized Message next(final Message draft)
    {
        final Link last = lastBySender.getOrDefault(draft.from(), new Link(0, ""));
        final Map<String, Object> metadata = new LinkedHashMap<>();
        if (draft.metadata().tree() instanceof Map<?, ?> existing)
        {
            existing.forEach((k, v) -> metadata.put((String)k, v));
        }
        metadata.put("workflow_id", workflowId);
        metadata.put(SEQ, last.seq() + 1);
        metadata.put(PREV, last.hash());
        final Message linked = draft.toBuilder().metadata(metadata).build();
        lastBySender.put(draft.from(), new Link(last.seq() + 1, linked.envelopeHash()));
        return linked;
    }
}
