package io.agentflow.cli;

import io.agentflow.codec.EnvelopeDecoder;
import io.agentflow.codec.json.JsonLimits;
import picocli.CommandLine.Command;

import java.util.List;

/**
 * {@code agentflow hash}: prints the envelope hash each message should carry.
 */
@Command(name = "hash", mixinStandardHelpOptions = true,
    header = "Print the envelope hash of each message.",
    description = {"Print the envelope hash (64 lowercase hex) of each message: SHA-256 of its canonical form",
        "without the envelope_hash member, which may be absent. Other members must follow the contract;",
        "otherwise a line 'error <code> <id> <detail>' ('-' when no id can be read)."})
final class HashCommand extends DocumentTool
{
    @Override
    List<Answer> processAll(final List<byte[]> documents, final JsonLimits limits)
    {
        final EnvelopeDecoder decoder = new EnvelopeDecoder(limits);
        return each(documents, d -> decoder.hashOf(d, 0, d.length));
    }
}
