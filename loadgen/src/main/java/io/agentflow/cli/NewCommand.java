package io.agentflow.cli;

import io.agentflow.codec.Json;
import io.agentflow.codec.Message;
import io.agentflow.codec.MessageType;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.util.concurrent.Callable;

/**
 * {@code agentflow new}: makes one valid, hashed, canonical message.
 */
@Command(name = "new", mixinStandardHelpOptions = true,
    description = "Print a new valid, hashed, canonical message (id and ts are filled in).")
final class NewCommand implements Callable<Integer>
{
    @Spec
    CommandSpec spec;

    @Option(names = "--from", required = true, description = "Source agent id.")
    String from;

    @Option(names = "--to", required = true, description = "Target agent id or topic.")
    String to;

    @Option(names = "--type", required = true, description = "request, response, event or control.")
    String type;

    @Option(names = "--payload", defaultValue = "null", description = "Payload as JSON (default: ${DEFAULT-VALUE}).")
    String payload;

    @Option(names = "--metadata", defaultValue = "{}", description = "Metadata object as JSON (default: ${DEFAULT-VALUE}).")
    String metadata;

    @Override
    public Integer call()
    {
        final Message m = Message.builder()   // a bad value: AgentFlow's one error line, status 2
            .from(from).to(to).type(MessageType.fromWireName(type.toLowerCase(java.util.Locale.ROOT)))
            .payload(Json.parse(payload))
            .metadata(Json.parse(metadata))
            .build();
        spec.commandLine().getOut().println(m);
        return 0;
    }
}
