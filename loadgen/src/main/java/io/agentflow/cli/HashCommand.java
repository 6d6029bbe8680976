package io.agentflow.cli;

import io.agentflow.codec.EnvelopeDecoder;
import io.agentflow.codec.json.JsonLimits;
import picocli.CommandLine.Command;

/**
 * {@code agentflow hash}: prints the envelope hash each message should carry.
 */
@Command(name = "hash", mixinStandardHelpOptions = true,
    header = "Print the envelope hash of each message.",
    description = {"Print the envelope hash (64 lowercase hex) of each message: SHA-256 of its canonical form",
        "without the envelope_hash member, which may be absent. Other members must follow the contract;",
        "otherwise a line 'error <code> <detail>'."})
final class HashCommand extends DocumentTool
{
    @Override
    String process(final byte[] bytes, final int length, final JsonLimits limits)
    {
        return new EnvelopeDecoder(limits).hashOf(bytes, 0, length);
    }
}
