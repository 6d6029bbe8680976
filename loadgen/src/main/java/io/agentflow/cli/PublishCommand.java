package io.agentflow.cli;

import io.agentflow.bus.PublishAck;
import io.agentflow.bus.jetstream.JetStreamBus;
import io.agentflow.cli.options.MetricsOption;
import io.agentflow.codec.EnvelopeDecoder;
import io.agentflow.codec.Message;
import io.agentflow.codec.error.ErrorCode;
import io.agentflow.codec.error.MessageError;
import io.agentflow.codec.json.JsonLimits;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code agentflow publish}: publishes messages read one per line, each verified first as a receiver would.
 */
@Command(name = "publish", mixinStandardHelpOptions = true,
    description = {"Publish each JSON line of FILE (or stdin) to SUBJECT after verifying it (contract and hash).",
        "Prints the stream sequence per message ('<seq> duplicate' when the broker already had it),",
        "or 'error <code> <id> <detail>'. Exit status 1 when any line failed."})
final class PublishCommand implements Callable<Integer>
{
    @Spec
    CommandSpec spec;

    @Mixin
    BusOptions bus;

    @Mixin
    MetricsOption metrics;

    @Parameters(index = "0", paramLabel = "SUBJECT", description = "e.g. agents.worker-1.in")
    String subject;

    @Parameters(index = "1", arity = "0..1", paramLabel = "FILE", description = "JSON lines; stdin when absent.")
    Path file;

    @Override
    public Integer call() throws Exception
    {
        return metrics.serving(System.err, this::run);
    }

    private Integer run() throws IOException
    {
        final PrintWriter out = spec.commandLine().getOut();
        final PrintWriter err = spec.commandLine().getErr();
        boolean anyFailed = false;
        // the input is opened first: a missing file is a usage error whether or not the broker answers
        try (DocumentSource source = new DocumentSource(file, true, JsonLimits.MAX_BYTES_DEFAULT);
            JetStreamBus b = bus.connect())
        {
            final EnvelopeDecoder decoder = new EnvelopeDecoder();
            final DocumentSource.Document doc = new DocumentSource.Document();
            while (source.next(doc))
            {
                try
                {
                    if (doc.oversized)
                    {
                        throw new MessageError(ErrorCode.SERIALIZATION_ERROR, "input too large: length=" + doc.length,
                            Map.of("length", doc.length), null);
                    }
                    final Message m = decoder.decode(doc.bytes.array(), 0, doc.bytes.length());
                    final PublishAck ack = b.publishAndWait(subject, m);
                    out.println(ack.sequence() + (ack.duplicate() ? " duplicate" : ""));
                }
                catch (final MessageError e)
                {
                    anyFailed = true;
                    out.println(FailureLine.of(e));
                }
                out.flush();
            }
        }
        return anyFailed ? 1 : 0;
    }
}
