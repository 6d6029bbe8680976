package io.agentflow.cli;

import io.agentflow.bus.jetstream.JetStreamAdmin;
import io.agentflow.bus.jetstream.JetStreamBus;
import io.agentflow.bus.jetstream.StreamProvisioner;
import io.agentflow.bus.wire.Streams;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.util.concurrent.Callable;

/**
 * {@code agentflow streams}: provisions the streams and default consumers (idempotently) and prints them.
 */
@Command(name = "streams", mixinStandardHelpOptions = true,
    description = {"Create or update the streams and default consumers, then print them.",
        "Running it again changes nothing; it never deletes data."})
final class StreamsCommand implements Callable<Integer>
{
    @Spec
    CommandSpec spec;

    @Mixin
    BusOptions bus;

    @Option(names = "--replicas", paramLabel = "N", description = "Stream replicas (default: 3 on a cluster, 1 alone).")
    Integer replicas;

    @Override
    public Integer call()
    {
        final PrintWriter out = spec.commandLine().getOut();
        try (JetStreamBus b = JetStreamBus.connect(null == replicas ? bus.config()
            : bus.config().replicas(replicas).conclude()))
        {
            for (final StreamProvisioner.Outcome o : b.provision())
            {
                out.printf("%-9s %s%n", o.action(), o.name());
            }
            for (final String stream : Streams.NAMES)
            {
                final JetStreamAdmin.StreamState s = b.admin().stream(stream);
                out.printf("stream %-14s subjects=%s replicas=%d messages=%d bytes=%d%n", stream, s.subjects(),
                    s.replicas(), s.messages(), s.bytes());
            }
            for (final String consumer : new String[]{Streams.WORKFLOW_PROCESSOR,
                Streams.AGENT_PROCESSOR})
            {
                final JetStreamAdmin.ConsumerState c = b.admin().consumer(Streams.MESSAGES, consumer);
                out.printf("consumer %-18s filter=%s max_ack_pending=%d pending=%d%n", consumer, c.filterSubject(),
                    c.maxAckPending(), c.pending());
            }
            out.flush();
            return 0;
        }
    }
}
