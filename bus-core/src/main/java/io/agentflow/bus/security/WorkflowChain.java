package io.agentflow.bus.security;

import io.agentflow.bus.wire.Subjects;
import io.agentflow.codec.Message;
import io.agentflow.codec.UlidGenerator;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Links a workflow's messages into hash chains, one per sender and session: each message gets {@value #SESSION}
 * (this chain object's id), {@value #SEQ} (1, 2, 3...) and {@value #PREV} (the link of the sender's previous
 * message, empty for the first) in its metadata; all three are inside the hashed envelope, so none can be changed
 * without changing the hash. Replay verifies the chains ({@link ChainVerifier}) and names a deleted, inserted,
 * duplicated or reordered message.
 * <p>
 * Choices, and why:
 * <ul>
 *   <li>A message's link ({@link #link}) is the SHA-256 of its canonical form with its trace ids emptied, not its
 *   {@code envelope_hash}: publishing writes the PRODUCER span's ids into the envelope (with an OpenTelemetry SDK,
 *   after the chain has linked the message, and afresh on each retry), and that must not break the chain. The
 *   envelope hash and signatures still cover the trace ids; the chain is about which messages there are, and in
 *   what order.</li>
 *   <li>A chain per sender, not one per workflow: senders of one workflow need not coordinate.</li>
 *   <li>A session per {@code WorkflowChain} object (a ULID): a sender that restarts starts a new chain at 1
 *   instead of claiming places its old chain holds, and nothing has to be persisted. The cost is that a session's
 *   end is unmarked: its last messages can be removed without a trace (as a chain's always could).</li>
 * </ul>
 * Publish chained messages in the order {@link #next} made them, and retry a failed publish with the same message:
 * a message never stored is reported as a gap, which is what it is. Thread-safe.
 */
public final class WorkflowChain
{
    public static final String SEQ = "chain_seq";
    public static final String PREV = "chain_prev";
    public static final String SESSION = "chain_session";

    private record Link(long seq, String hash)
    {
    }

    private final String workflowId;
    private final String session = UlidGenerator.shared().next();
    private final Map<String, Link> lastBySender = new HashMap<>();

    public WorkflowChain(final String workflowId)
    {
        this.workflowId = Subjects.token(workflowId, "workflow_id");
    }

    /**
     * @return {@code draft} with {@code workflow_id}, {@value #SESSION}, {@value #SEQ} and {@value #PREV} added to
     * its metadata (which must be an object or empty), hashed again; the chain of {@code draft.from()} advances.
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
        metadata.put(SESSION, session);
        metadata.put(SEQ, last.seq() + 1);
        metadata.put(PREV, last.hash());
        final Message linked = draft.toBuilder().metadata(metadata).build();
        lastBySender.put(draft.from(), new Link(last.seq() + 1, link(linked)));
        return linked;
    }

    /** @return this chain's session id, written into every message it links. */
    public String session()
    {
        return session;
    }

    /**
     * @return what the next message of {@code m}'s chain holds in {@value #PREV}: the SHA-256 (hex) of {@code m}'s
     * canonical form with {@code trace_id} and {@code span_id} empty, whatever trace ids it was published with.
     */
    public static String link(final Message m)
    {
        return m.traceId().isEmpty() && m.spanId().isEmpty() ? m.envelopeHash()
            : m.toBuilder().traceId("").spanId("").build().envelopeHash();
    }
}
