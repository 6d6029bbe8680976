package io.agentflow.cli.loadgen;

import java.io.File;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A private {@code nats-server} for one load run: JetStream on a free loopback port with a temporary store, both
 * removed when closed. Found in {@code NATS_SERVER_PATH} or on the PATH.
 */
final class NatsServerProcess implements AutoCloseable
{
    private final Process process;
    private final Path storeDir;
    private final int port;

    private NatsServerProcess(final Process process, final Path storeDir, final int port)
    {
        this.process = process;
        this.storeDir = storeDir;
        this.port = port;
    }

    /** @return the nats-server binary, or {@code null} when there is none. */
    static Path find()
    {
        final String configured = System.getenv("NATS_SERVER_PATH");
        if (null != configured && Files.isExecutable(Path.of(configured)))
        {
            return Path.of(configured);
        }
        final String path = System.getenv().getOrDefault("PATH", "") + File.pathSeparator + "/usr/sbin"
            + File.pathSeparator + "/usr/local/bin";
        for (final String dir : path.split(File.pathSeparator))
        {
            final Path candidate = Path.of(dir, "nats-server");
            if (!dir.isEmpty() && Files.isExecutable(candidate))
            {
                return candidate;
            }
        }
        return null;
    }

    static NatsServerProcess start(final Path binary) throws IOException, InterruptedException
    {
        final int port;
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress()))
        {
            port = s.getLocalPort();
        }
        final Path store = Files.createTempDirectory("agentflow-loadgen-");
        final Process process = new ProcessBuilder(binary.toString(), "-js", "-a", "127.0.0.1", "-p",
            Integer.toString(port), "-sd", store.toString())
            .redirectErrorStream(true)
            .redirectOutput(store.resolve("nats-server.log").toFile())
            .start();
        final NatsServerProcess server = new NatsServerProcess(process, store, port);
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        while (!answers("127.0.0.1", port, 200))
        {
            if (!process.isAlive() || System.nanoTime() > deadline)
            {
                final String log = Files.readString(store.resolve("nats-server.log"));
                server.close();
                throw new IOException("nats-server did not start on port " + port + ": " + log);
            }
            Thread.sleep(50);
        }
        return server;
    }

    /** @return whether something accepts TCP connections there within {@code timeoutMs}. */
    static boolean answers(final String host, final int port, final int timeoutMs)
    {
        try (Socket socket = new Socket())
        {
            socket.connect(new InetSocketAddress(host, port), timeoutMs);
            return true;
        }
        catch (final IOException ex)
        {
            return false;
        }
    }

    long pid()
    {
        return process.pid();
    }

    String url()
    {
        return "nats://127.0.0.1:" + port;
    }

    @Override
    public void close()
    {
        process.destroy();
        try
        {
            if (!process.waitFor(10, TimeUnit.SECONDS))
            {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
            try (Stream<Path> paths = Files.walk(storeDir))
            {
                for (final Path p : paths.sorted(Comparator.reverseOrder()).toList())
                {
                    Files.deleteIfExists(p);
                }
            }
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
        catch (final IOException ex)
        {
            System.err.println("loadgen: could not remove " + storeDir + ": " + ex.getMessage());
        }
    }
}
