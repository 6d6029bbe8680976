package io.agentflow.jmh;

import io.nats.NatsServerRunner;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.logging.Level;
import java.util.stream.Stream;

/**
 * The {@code nats-server} a benchmark starts for itself: JetStream on a free loopback port, a temporary store.
 * The binary comes from {@code NATS_SERVER_PATH} or the PATH.
 */
final class BenchmarkNatsServer implements AutoCloseable
{
    private final Path storeDir;
    private final NatsServerRunner runner;

    BenchmarkNatsServer() throws Exception
    {
        storeDir = Files.createTempDirectory("af-jmh-nats-");
        final NatsServerRunner.Builder builder = NatsServerRunner.builder()
            .jetstream(false)
            .outputLevel(Level.SEVERE)
            .configInserts(List.of("jetstream { store_dir: \"" + storeDir + "\" }", "host: 127.0.0.1"));
        final String path = System.getenv("NATS_SERVER_PATH");
        if (null != path && !path.isBlank())
        {
            builder.executablePath(path);
        }
        runner = builder.build();
    }

    String url()
    {
        return "nats://127.0.0.1:" + runner.getPort();
    }

    @Override
    public void close() throws Exception
    {
        runner.close();
        try (Stream<Path> paths = Files.walk(storeDir))
        {
            for (final Path p : paths.sorted(Comparator.reverseOrder()).toList())
            {
                Files.deleteIfExists(p);
            }
        }
        catch (final IOException ex)
        {
            throw new IllegalStateException("could not remove " + storeDir, ex);
        }
    }
}
