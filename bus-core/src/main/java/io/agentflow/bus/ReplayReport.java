package io.agentflow.bus;

import java.util.List;

/**
 * What a replay read, what failed verification, and where the workflow's hash chains break.
 *
 * @param read        messages read from the stream.
 * @param verified    messages that passed and went to the listener.
 * @param failures    the others, in stream order.
 * @param chainBreaks gaps, reorderings and insertions in the chains of {@link WorkflowChain}, in stream order.
 */
public record ReplayReport(long read, long verified, List<Failure> failures, List<ChainBreak> chainBreaks)
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
     * A break in a workflow's hash chain.
     *
     * @param streamSequence where it shows: the message after a gap, the reordered or inserted message.
     * @param id             that message's id.
     * @param kind           {@code gap}, {@code reordered}, {@code inserted}, {@code duplicate}, {@code unlinked} or
     *                       {@code malformed} ({@link ChainVerifier}).
     * @param detail         the chain, the sequence numbers and the neighbouring messages.
     */
    public record ChainBreak(long streamSequence, String id, String kind, String detail)
    {
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
