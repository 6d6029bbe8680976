package io.agentflow.bus;

import java.io.File;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A {@code nats-server} process that a fault test can kill (SIGKILL) and start again on the same port and store,
 * alone or as a node of a cluster. Unlike {@link NatsTestServer} (the runner library starts a new port and store
 * each time), its identity survives a restart, which is what a restart test needs.
 */
public final class NatsProcess implements AutoCloseable
{
    private static String version;
    private final String name;
    private final int port;
    private final Path dir;
    private final List<String> configLines;
    private Process process;

    private NatsProcess(final String name, final int port, final Path dir, final List<String> configLines)
    {
        this.name = name;
        this.port = port;
        this.dir = dir;
        this.configLines = configLines;
    }

    /** A server with JetStream; {@code extraLines} are added to its configuration file (cluster, TLS, ...). */
    public static NatsProcess create(final String name, final int port, final List<String> extraLines)
        throws IOException
    {
        final Path dir = Files.createTempDirectory("af-nats-" + name + "-");
        final List<String> lines = new ArrayList<>(List.of(
            "server_name: " + name,
            "listen: 127.0.0.1:" + port,
            "jetstream { store_dir: \"" + dir.resolve("store") + "\" }"));
        lines.addAll(extraLines);
        return new NatsProcess(name, port, dir, lines);
    }

    public static NatsProcess create(final String name, final List<String> extraLines) throws IOException
    {
        return create(name, freePort(), extraLines);
    }

    /** @return a TCP port nothing listens on right now (loopback). */
    public static int freePort() throws IOException
    {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress()))
        {
            return s.getLocalPort();
        }
    }

    /** Starts the process and waits until it accepts connections. */
    public NatsProcess start() throws IOException, InterruptedException
    {
        launch();
        awaitListening();
        return this;
    }

    /** Starts the process without waiting: cluster nodes wait for each other's routes. */
    void launch() throws IOException
    {
        if (null != process && process.isAlive())
        {
            throw new IllegalStateException(name + " is already running");
        }
        final Path conf = dir.resolve("nats.conf");
        Files.write(conf, configLines);
        process = new ProcessBuilder(binary(), "-c", conf.toString())
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("server.log").toFile()))
            .start();
    }

    void awaitListening() throws IOException, InterruptedException
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!answers())
        {
            if (!process.isAlive() || System.nanoTime() > deadline)
            {
                throw new IOException(name + " did not start on port " + port + ": " + log());
            }
            Thread.sleep(20);
        }
    }

    private boolean answers()
    {
        try (Socket socket = new Socket())
        {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 200);
            return true;
        }
        catch (final IOException ex)
        {
            return false;
        }
    }

    /** SIGKILL: no shutdown, no flush; what the server had not written to its files is gone. */
    public void kill() throws InterruptedException
    {
        if (null != process)
        {
            process.destroyForcibly();   // SIGKILL on Linux
            process.waitFor(10, TimeUnit.SECONDS);
        }
    }

    /**
     * SIGSTOP: the process stays, with its sockets open and its state in memory, but answers nothing (a long GC
     * pause, a stalled VM, a disk that hangs); {@link #resume} lets it go on as if no time had passed.
     */
    public void pause() throws IOException, InterruptedException
    {
        signal("STOP");
    }

    /** SIGCONT after {@link #pause}. */
    public void resume() throws IOException, InterruptedException
    {
        signal("CONT");
    }

    private void signal(final String name) throws IOException, InterruptedException
    {
        final Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(process.pid())).inheritIO().start();
        if (!kill.waitFor(10, TimeUnit.SECONDS) || 0 != kill.exitValue())
        {
            throw new IOException("kill -" + name + " " + process.pid() + " failed");
        }
    }

    public boolean isAlive()
    {
        return null != process && process.isAlive();
    }

    public String name()
    {
        return name;
    }

    public int port()
    {
        return port;
    }

    public String url()
    {
        return "nats://127.0.0.1:" + port;
    }

    /** @return the server's own output so far, for failure messages. */
    public String log()
    {
        try
        {
            return Files.readString(dir.resolve("server.log"));
        }
        catch (final IOException ex)
        {
            return "(no log: " + ex + ")";
        }
    }

    /** @return the version the nats-server binary reports, e.g. {@code 2.9.10}: for every recorded figure. */
    static synchronized String version()
    {
        if (null == version)
        {
            try
            {
                final Process p = new ProcessBuilder(binary(), "--version").redirectErrorStream(true).start();
                final String out = new String(p.getInputStream().readAllBytes(),
                    java.nio.charset.StandardCharsets.UTF_8);
                p.waitFor();
                final java.util.regex.Matcher m = java.util.regex.Pattern.compile("(\\d+\\.\\d+\\.\\d+)")
                    .matcher(out);
                version = m.find() ? m.group(1) : out.trim();
            }
            catch (final IOException | InterruptedException ex)
            {
                throw new IllegalStateException("cannot ask " + binary() + " for its version: " + ex, ex);
            }
        }
        return version;
    }

    static String binary()
    {
        final String configured = System.getenv("NATS_SERVER_PATH");
        if (null != configured && !configured.isBlank())
        {
            return configured;
        }
        for (final String d : (System.getenv().getOrDefault("PATH", "") + File.pathSeparator + "/usr/sbin")
            .split(File.pathSeparator))
        {
            if (!d.isEmpty() && Files.isExecutable(Path.of(d, "nats-server")))
            {
                return Path.of(d, "nats-server").toString();
            }
        }
        throw new IllegalStateException("nats-server not found: set NATS_SERVER_PATH or run scripts/test");
    }

    @Override
    public void close() throws Exception
    {
        if (null != process)
        {
            process.destroy();
            if (!process.waitFor(10, TimeUnit.SECONDS))
            {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        }
        if (null == System.getenv("KEEP_NATS_DIRS"))   // set: the server's log and store stay for a look
        {
            NatsTestServer.deleteRecursively(dir);
        }
    }
}
