package io.agentflow.cli;

import io.agentflow.bus.EnvValues;
import io.agentflow.bus.jetstream.JetStreamBus;
import io.agentflow.bus.jetstream.SubjectWatch;
import io.agentflow.bus.security.Signatures;
import io.agentflow.cli.options.MetricsOption;
import io.agentflow.codec.error.MessageError;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.concurrent.Callable;

/**
 * {@code agentflow tail}: watches a subject (an ephemeral subscription, nothing stored or acknowledged), verifying
 * each message as a receiver would (hash, contract, and signature by {@code AF_BUS_SIGNATURE_POLICY}). It connects
 * as the bus does, with the same TLS, credentials and receive limit.
 */
@Command(name = "tail", mixinStandardHelpOptions = true,
    description = {"Watch SUBJECT (wildcards allowed) and verify each message as it arrives.",
        "Accepted messages go to stdout as one JSON line each; rejected ones to stderr as",
        "'error <code> <id> <detail>'. Exit status 1 when any was rejected."})
final class TailCommand implements Callable<Integer>
{
    @Spec
    CommandSpec spec;

    @Mixin
    BusOptions bus;

    @Mixin
    MetricsOption metrics;

    @Parameters(index = "0", paramLabel = "SUBJECT", description = "Subject or pattern, e.g. agents.*.in")
    String subject;

    @Option(names = "--count", paramLabel = "N", description = "Stop after N messages (accepted or rejected).")
    long count = Long.MAX_VALUE;

    @Option(names = "--timeout", paramLabel = "D", description = "Stop after D (e.g. 30s); default: run until "
        + "interrupted.")
    String timeout;

    @Override
    public Integer call() throws Exception
    {
        return metrics.serving(System.err, this::run);
    }

    private Integer run() throws InterruptedException
    {
        final PrintWriter out = spec.commandLine().getOut();
        final PrintWriter err = spec.commandLine().getErr();
        final long deadline = null == timeout ? Long.MAX_VALUE
            : System.nanoTime() + EnvValues.parseDuration("--timeout", timeout).toNanos();
        long seen = 0;
        boolean anyRejected = false;
        try (JetStreamBus connected = JetStreamBus.connect(bus.config());
            SubjectWatch watch = connected.watch(subject))
        {
            err.println("tail: watching " + subject);
            err.flush();
            while (seen < count)
            {
                final long leftMs = Math.min(1000, (deadline - System.nanoTime()) / 1_000_000);
                if (leftMs <= 0)
                {
                    break;
                }
                final SubjectWatch.Seen next = watch.next(Duration.ofMillis(leftMs));
                if (null == next)
                {
                    continue;
                }
                seen++;
                if (null != next.message())
                {
                    out.println(next.message());
                    out.flush();
                    continue;
                }
                anyRejected = true;
                final MessageError e = next.refusal();
                final Object id = e.details().get("id");
                err.println(FailureLine.of(Signatures.reason(e), id instanceof String ? (String)id : null,
                    e.getMessage()));
                err.flush();
            }
            return anyRejected ? 1 : 0;
        }
    }
}
