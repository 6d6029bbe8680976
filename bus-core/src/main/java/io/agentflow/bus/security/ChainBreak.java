package io.agentflow.bus.security;

/**
 * A break in a workflow's hash chain, as a replay reports it.
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
