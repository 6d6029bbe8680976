package io.agentflow.bus;

import io.agentflow.bus.security.ChainBreak;

import java.util.List;

/**
 * What a replay read, what failed verification, and where the workflow's hash chains break.
 *
 * @param read        messages read from the stream.
 * @param verified    messages that passed and went to the listener.
 * @param failures    the others, in stream order.
 * @param chainBreaks gaps, reorderings and insertions in the chains of {@link io.agentflow.bus.security.WorkflowChain}, in stream order.
 * @param examined    stored records the replay looked at to find them: the workflow's own messages, plus index
 *                    records and the not yet indexed tail when the workflow index is on (docs/bus.md, "Replay"), or
 *                    every retained record where a replay has to scan. What a replay costs grows with this.
 */
public record ReplayReport(long read, long verified, List<Failure> failures, List<ChainBreak> chainBreaks,
    long examined)
{
    public ReplayReport
    {
        failures = List.copyOf(failures);
        chainBreaks = List.copyOf(chainBreaks);
    }

    /** @return whether every message verified and every chain is whole. */
    public boolean allVerified()
    {
        return failures.isEmpty() && chainBreaks.isEmpty();
    }

    /**
     * One message that failed.
     *
     * @param streamSequence its position in the stream.
     * @param subject        the subject it was stored under.
     * @param code           the error code's wire name, e.g. {@code hash_mismatch}.
     * @param id             the message id when it could be read, else {@code "-"}.
     * @param detail         the error message.
     */
    public record Failure(long streamSequence, String subject, String code, String id, String detail)
    {
    }
}
