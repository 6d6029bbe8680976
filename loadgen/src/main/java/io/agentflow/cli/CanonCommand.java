package io.agentflow.cli;

import io.agentflow.codec.json.CanonicalJsonWriter;
import io.agentflow.codec.json.GrowableBytes;
import io.agentflow.codec.json.JsonLimits;
import io.agentflow.codec.json.JsonReader;
import picocli.CommandLine.Command;

/**
 * {@code agentflow canon}: prints the RFC 8785 canonical form of each JSON document.
 */
@Command(name = "canon", mixinStandardHelpOptions = true,
    header = "Print the RFC 8785 (JCS) canonical form of each JSON document.",
    description = {"Print the RFC 8785 (JCS) canonical form of each JSON document,",
        "or a line 'error <code> <detail>' for one that is not I-JSON."})
final class CanonCommand extends DocumentTool
{
    private final GrowableBytes out = new GrowableBytes();

    @Override
    String process(final byte[] bytes, final int length, final JsonLimits limits)
    {
        final Object tree = new JsonReader(limits).read(bytes, 0, length);
        new CanonicalJsonWriter(limits.maxDepth()).writeValue(out.reset(), tree);
        return out.toString();
    }
}
