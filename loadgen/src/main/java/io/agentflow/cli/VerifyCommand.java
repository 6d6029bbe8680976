package io.agentflow.cli;

import io.agentflow.codec.EnvelopeDecoder;
import io.agentflow.codec.MessageError;
import io.agentflow.codec.json.JsonLimits;
import picocli.CommandLine.Command;

/**
 * {@code agentflow verify}: checks each message against the contract and its hash, as a receiver does.
 */
@Command(name = "verify", mixinStandardHelpOptions = true,
    description = {"Verify each message (contract and envelope hash) as a receiver would.",
        "Prints 'ok <id>' or '<code> <id> <detail>' ('-' when no id can be read).",
        "Exit status 1 when any failed."})
final class VerifyCommand extends DocumentTool
{
    @Override
    String process(final byte[] bytes, final int length, final JsonLimits limits)
    {
        return "ok " + new EnvelopeDecoder(limits).decode(bytes, 0, length).id();
    }

    @Override
    String failure(final MessageError e)
    {
        final Object id = e.details().get("id");
        return e.code().wireName() + " " + (id instanceof String ? oneLine((String)id) : "-") + " "
            + oneLine(e.getMessage());
    }
}
