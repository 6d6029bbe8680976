package io.agentflow.cli;

import io.agentflow.bus.BusConfig;
import io.agentflow.bus.jetstream.JetStreamBus;
import picocli.CommandLine.Option;

import java.util.function.Supplier;

/**
 * The connection options shared by the commands that talk to NATS; defaults come from the {@code AF_BUS_*}
 * settings (environment over {@code --profile}/{@code --config}).
 */
final class BusOptions
{
    private final Supplier<BusConfig> settings;

    @Option(names = {"--url", "--server", "-s"}, paramLabel = "URL", description = "NATS server(s), "
        + "comma-separated (default: $AF_BUS_URL, else $NATS_URL, else nats://localhost:4222).")
    String url;

    BusOptions(final Supplier<BusConfig> settings)
    {
        this.settings = settings;
    }

    BusConfig config()
    {
        final BusConfig config = settings.get();
        return null == url ? config : config.url(url).conclude();
    }

    JetStreamBus connect()
    {
        return JetStreamBus.connect(config());
    }
}
