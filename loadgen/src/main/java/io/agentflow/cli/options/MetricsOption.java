package io.agentflow.cli.options;

import io.agentflow.bus.observe.BusMetrics;
import io.prometheus.metrics.exporter.httpserver.HTTPServer;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.PrintStream;

/**
 * {@code --metrics-port PORT} (and {@code --metrics-bind ADDRESS}): serves the bus's Prometheus metrics at
 * {@code http://ADDRESS:PORT/metrics} while a command runs. Loopback by default: a scraper on another host is a choice
 * to make, not a default. Shared by the commands that run long enough to be scraped.
 */
public final class MetricsOption
{
    @Option(names = "--metrics-port", paramLabel = "PORT",
        description = "Serve Prometheus metrics at http://ADDRESS:PORT/metrics while this runs.")
    Integer port;

    @Option(names = "--metrics-bind", paramLabel = "ADDRESS", defaultValue = "127.0.0.1",
        description = "Address the metrics endpoint listens on (default: ${DEFAULT-VALUE}; 0.0.0.0 for every one).")
    String bind;

    /** Runs {@code body} with the metrics served (when asked for) for as long as it runs. */
    public <T> T serving(final PrintStream err, final java.util.concurrent.Callable<T> body) throws Exception
    {
        final HTTPServer server = start(err);
        try
        {
            return body.call();
        }
        finally
        {
            if (null != server)
            {
                server.close();
            }
        }
    }

    /** @return the running server, to close when the command ends, or {@code null} when not asked for. */
    public HTTPServer start(final PrintStream err) throws IOException
    {
        if (null == port)
        {
            return null;
        }
        BusMetrics.shared();   // registered before the first scrape, not at the first message
        final HTTPServer server = HTTPServer.builder().hostname(bind).port(port).buildAndStart();
        err.println("metrics at http://" + bind + ":" + server.getPort() + "/metrics");
        return server;
    }
}
