package io.agentflow.cli;

import io.agentflow.bus.ReplayReport;
import io.agentflow.bus.jetstream.JetStreamBus;
import io.agentflow.bus.security.ChainBreak;
import io.agentflow.cli.options.MetricsOption;
import io.agentflow.codec.Timestamps;
import io.agentflow.codec.error.ErrorCode;
import io.agentflow.codec.error.MessageError;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.concurrent.Callable;

/**
 * {@code agentflow replay}: reads a workflow's history back in stream order, verifying each message.
 */
@Command(name = "replay", mixinStandardHelpOptions = true,
    header = "Print a workflow's verified history in stream order, with its hash chains checked.",
    description = {"Print a workflow's verified messages (subjects workflows.<id>.in/out) in stream order as",
        "JSON lines, then a summary line. Failures go to stderr as 'error <code> <id> seq=<n> <detail>'.",
        "Exit status 1 when any message failed verification."})
final class ReplayCommand implements Callable<Integer>
{
    @Spec
    CommandSpec spec;

    @Mixin
    BusOptions bus;

    @Mixin
    MetricsOption metrics;

    @Option(names = "--workflow", required = true, paramLabel = "ID", description = "The workflow id.")
    String workflow;

    @Option(names = "--since", paramLabel = "RFC3339", description = "Start time, e.g. 2026-11-26T20:00:00Z "
        + "(default: the beginning of the stream).")
    String since;

    @Override
    public Integer call() throws Exception
    {
        return metrics.serving(System.err, this::run);
    }

    private Integer run()
    {
        final PrintWriter out = spec.commandLine().getOut();
        final PrintWriter err = spec.commandLine().getErr();
        final Instant from;
        try   // checked before connecting
        {
            from = null == since ? Instant.EPOCH : Instant.parse(since);
        }
        catch (final DateTimeParseException e)
        {
            throw MessageError.atPath(ErrorCode.VALIDATION_ERROR, "--since", "not an RFC 3339 time: " + since);
        }
        try (JetStreamBus b = bus.connect())
        {
            final ReplayReport report = b.replay(workflow, from, (message, origin) -> out.println(message));
            for (final ReplayReport.Failure f : report.failures())
            {
                err.println(FailureLine.of(f.code(), f.id(), "seq=" + f.streamSequence() + " " + f.detail()));
            }
            for (final ChainBreak chainBreak : report.chainBreaks())
            {
                err.println(FailureLine.of("chain_" + chainBreak.kind(), chainBreak.id(),
                    "seq=" + chainBreak.streamSequence() + " " + chainBreak.detail()));
            }
            out.println("replay workflow=" + workflow + " since=" + Timestamps.format(Timestamps.toMicros(from))
                + " read=" + report.read() + " verified=" + report.verified() + " failed=" + report.failures().size()
                + " chain_breaks=" + report.chainBreaks().size() + " examined=" + report.examined());
            out.flush();
            err.flush();
            return report.allVerified() ? 0 : 1;
        }
    }
}
