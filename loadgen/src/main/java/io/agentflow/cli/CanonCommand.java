package io.agentflow.cli;

import io.agentflow.codec.json.CanonicalJsonWriter;
import io.agentflow.codec.json.GrowableBytes;
import io.agentflow.codec.json.JsonLimits;
import io.agentflow.codec.json.JsonReader;
import picocli.CommandLine.Command;

import java.util.List;

/**
 * {@code agentflow canon}: prints the RFC 8785 canonical form of each JSON document.
 */
@Command(name = "canon", mixinStandardHelpOptions = true,
    header = "Print the RFC 8785 (JCS) canonical form of each JSON document.",
    description = {"Print the RFC 8785 (JCS) canonical form of each JSON document,",
        "or a line 'error <code> - <detail>' for one that is not I-JSON."})
final class CanonCommand extends DocumentTool
{
    private final GrowableBytes out = new GrowableBytes();

    @Override
    List<Answer> processAll(final List<byte[]> documents, final JsonLimits limits)
    {
        final JsonReader reader = new JsonReader(limits);
        final CanonicalJsonWriter writer = new CanonicalJsonWriter(limits.maxDepth());
        return each(documents, d ->
        {
            writer.writeValue(out.reset(), reader.read(d));
            return out.toString();
        });
    }
}
