package io.agentflow.testsupport;

import java.io.File;
import java.io.IOException;
import java.net.InetSocketAddress;
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
    private final int monitorPort;
    private final Path dir;
    private final List<String> configLines;
    private Process process;

    private NatsProcess(final String name, final int port, final int monitorPort, final Path dir,
        final List<String> configLines)
    {
        this.monitorPort = monitorPort;
        this.name = name;
        this.port = port;
        this.dir = dir;
        this.configLines = configLines;
    }

    /** A server with JetStream; {@code extraLines} are added to its configuration file (cluster, TLS, ...). */
    public static NatsProcess create(final String name, final int port, final List<String> extraLines)
        throws IOException
    {
        return create(name, port, extraLines, "");
    }

    /** As {@link #create(String, int, List)}, with {@code jetStreamOptions} in the jetstream block. */
    public static NatsProcess create(final String name, final int port, final List<String> extraLines,
        final String jetStreamOptions) throws IOException
    {
        final Path dir = Files.createTempDirectory("af-nats-" + name + "-");
        final int monitorPort = LoopbackPorts.free();
        final List<String> lines = new ArrayList<>(List.of(
            "server_name: " + name,
            "listen: 127.0.0.1:" + port,
            "http: 127.0.0.1:" + monitorPort,
            "jetstream { store_dir: \"" + dir.resolve("store") + "\"" + (jetStreamOptions.isEmpty() ? ""
                : ", " + jetStreamOptions) + " }"));
        lines.addAll(extraLines);
        return new NatsProcess(name, port, monitorPort, dir, lines);
    }

    public static NatsProcess create(final String name, final List<String> extraLines) throws IOException
    {
        return create(name, LoopbackPorts.free(), extraLines);
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
        launch(List.of());
    }

    /**
     * Starts the process under {@code strace}, which writes the system calls {@code syscalls} names, with the paths
     * of their descriptors, to {@code trace} (see {@link SyncTrace}); waits until it accepts connections.
     */
    public NatsProcess startTraced(final Path trace, final String syscalls) throws IOException, InterruptedException
    {
        if (null == onPath("strace", ""))
        {
            throw new IllegalStateException("strace not found: scripts/test installs it (apt-get install -y strace)");
        }
        launch(List.of("strace", "-f", "-y", "-s", "0", "-e", "trace=" + syscalls, "-o", trace.toString()));
        awaitListening();
        return this;
    }

    private void launch(final List<String> prefix) throws IOException
    {
        if (null != process && process.isAlive())
        {
            throw new IllegalStateException(name + " is already running");
        }
        final Path conf = dir.resolve("nats.conf");
        Files.write(conf, configLines);
        final List<String> command = new ArrayList<>(prefix);
        command.addAll(List.of(binary(), "-c", conf.toString()));
        process = new ProcessBuilder(command)
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
            // under strace the server is the tracer's child: killed alone, the tracer would let it run on; so the
            // server first, and the tracer ends by itself once it has written the last calls
            final List<ProcessHandle> children = process.descendants().collect(java.util.stream.Collectors.toList());
            children.forEach(ProcessHandle::destroyForcibly);
            if (!children.isEmpty() && process.waitFor(10, TimeUnit.SECONDS))
            {
                return;
            }
            process.destroyForcibly();   // SIGKILL on Linux
            process.waitFor(10, TimeUnit.SECONDS);
        }
    }

    /** SIGTERM and wait: a clean shutdown that flushes and closes the store, which stays for a restart. */
    public void stop() throws InterruptedException
    {
        if (null != process)
        {
            process.destroy();
            if (!process.waitFor(20, TimeUnit.SECONDS))
            {
                throw new IllegalStateException(name + " did not stop within 20 s");
            }
        }
    }

    /** @return the JetStream store directory ({@code store_dir}), for tests that damage it. */
    public Path storeDir()
    {
        return dir.resolve("store");
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

    /** A stream's state in this server's own replica, as its monitoring endpoint reports it. */
    public record ReplicaState(long messages, long bytes, long firstSequence, long lastSequence, long deleted)
    {
        @Override
        public String toString()
        {
            return messages + " msgs, " + bytes + " B, seq " + firstSequence + "-" + lastSequence
                + (0 == deleted ? "" : ", " + deleted + " deleted");
        }
    }

    /**
     * @return {@code stream}'s state in this server's replica, from {@code /jsz}: each server reports its own copy
     * (a request on the JetStream API would be answered by the stream's leader, a direct get by any replica).
     */
    public ReplicaState replicaState(final String stream) throws IOException
    {
        final java.net.HttpURLConnection http = (java.net.HttpURLConnection)new java.net.URL("http://127.0.0.1:"
            + monitorPort + "/jsz?accounts=true&streams=true").openConnection();
        http.setConnectTimeout(2000);
        http.setReadTimeout(5000);
        final String json;
        try (java.io.InputStream in = http.getInputStream())
        {
            json = new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        }
        final java.util.regex.Matcher named = java.util.regex.Pattern.compile("\"name\":\\s*\"" + stream + "\"")
            .matcher(json);
        if (!named.find())
        {
            throw new IOException(name + " has no replica of " + stream);
        }
        final int at = json.indexOf("\"state\"", named.end());
        final String state = json.substring(at, json.indexOf('}', at));
        return new ReplicaState(number(state, "messages"), number(state, "bytes"), number(state, "first_seq"),
            number(state, "last_seq"), number(state, "num_deleted"));
    }

    private static long number(final String json, final String member)
    {
        final java.util.regex.Matcher m = java.util.regex.Pattern.compile("\"" + member + "\":\\s*(\\d+)")
            .matcher(json);
        return m.find() ? Long.parseLong(m.group(1)) : 0;
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
    public static synchronized String version()
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

    public static String binary()
    {
        final String configured = System.getenv("NATS_SERVER_PATH");
        if (null != configured && !configured.isBlank())
        {
            return configured;
        }
        final String found = onPath("nats-server", File.pathSeparator + "/usr/sbin");
        if (null == found)
        {
            throw new IllegalStateException("nats-server not found: set NATS_SERVER_PATH or run scripts/test");
        }
        return found;
    }

    /** @return the executable {@code name} in the PATH (then in {@code more}, a path list), or null. */
    private static String onPath(final String name, final String more)
    {
        for (final String d : (System.getenv().getOrDefault("PATH", "") + more).split(File.pathSeparator))
        {
            if (!d.isEmpty() && Files.isExecutable(Path.of(d, name)))
            {
                return Path.of(d, name).toString();
            }
        }
        return null;
    }

    /** @return whether the nats-server binary is at least {@code major.minor}. */
    public static boolean versionAtLeast(final int major, final int minor)
    {
        final String[] v = version().split("\\.");
        final int ma = Integer.parseInt(v[0]);
        return ma > major || (ma == major && Integer.parseInt(v[1]) >= minor);
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
