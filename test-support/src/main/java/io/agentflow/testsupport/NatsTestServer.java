package io.agentflow.testsupport;

import io.nats.NatsServerRunner;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.logging.Level;
import java.util.stream.Stream;

/**
 * A real {@code nats-server} with JetStream on a free loopback port and its own temporary store, for one test
 * class. The binary is {@link NatsProcess#binary()}'s ({@code scripts/test} finds or installs it).
 */
public final class NatsTestServer implements AutoCloseable
{
    private final Path storeDir;
    private final NatsServerRunner runner;

    private NatsTestServer(final Path storeDir, final NatsServerRunner runner)
    {
        this.storeDir = storeDir;
        this.runner = runner;
    }

    public static NatsTestServer start() throws Exception
    {
        return start(List.of());
    }

    /** Starts a server with extra configuration lines (accounts, TLS, ...). */
    public static NatsTestServer start(final List<String> configLines) throws Exception
    {
        final Path storeDir = Files.createTempDirectory("af-nats-");
        final NatsServerRunner.Builder builder = NatsServerRunner.builder()
            .jetstream(false)
            .outputLevel(Level.WARNING)
            // JetStream start-up took over 500 ms on a busy 2-core machine; the runner's default wait is shorter
            .processCheckWait(100L)
            .processCheckTries(100)
            .connectValidateInitialDelay(100L)
            .connectValidateSubsequentDelay(100L)
            .connectValidateTries(100)
            .executablePath(NatsProcess.binary())   // one lookup for every server the tests start
            .configInserts(Stream.concat(
                Stream.of("jetstream { store_dir: \"" + storeDir + "\" }", "host: 127.0.0.1"),
                configLines.stream()).toList());
        return new NatsTestServer(storeDir, builder.build());
    }

    public String url()
    {
        return "nats://127.0.0.1:" + runner.getPort();
    }

    public int port()
    {
        return runner.getPort();
    }

    /** @return the server's process id. */
    public long pid()
    {
        final String config = runner.getConfigFile();
        return ProcessHandle.allProcesses()
            .filter(p -> p.info().commandLine().map(c -> c.contains(config)).orElse(false))
            .mapToLong(ProcessHandle::pid).findFirst()
            .orElseThrow(() -> new IllegalStateException("no nats-server process with " + config));
    }

    /** Sends a signal to the server process ({@code STOP}, {@code CONT}, {@code KILL}): for fault tests. */
    public void signal(final String signal) throws Exception
    {
        final long pid = pid();
        final Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(pid)).inheritIO().start();
        if (0 != kill.waitFor())
        {
            throw new IllegalStateException("kill -" + signal + " " + pid + " failed");
        }
        if ("STOP".equals(signal))
        {
            // the signal is only queued when kill returns: a server thread already running may still answer a
            // request sent right after, so wait until every thread is stopped ('T' in /proc/<pid>/task/*/stat)
            Await.until(java.time.Duration.ofSeconds(5), () -> stopped(pid), () -> "nats-server " + pid
                + " to stop");
        }
    }

    private static boolean stopped(final long pid)
    {
        try (java.util.stream.Stream<java.nio.file.Path> tasks = java.nio.file.Files.list(
            java.nio.file.Path.of("/proc", Long.toString(pid), "task")))
        {
            return tasks.allMatch(task ->
            {
                try
                {
                    final String s = java.nio.file.Files.readString(task.resolve("stat"));
                    return s.charAt(s.lastIndexOf(')') + 2) == 'T';
                }
                catch (final java.io.IOException gone)
                {
                    return true;   // a thread that exited meanwhile answers nothing
                }
            });
        }
        catch (final java.io.IOException e)
        {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Override
    public void close() throws Exception
    {
        try
        {
            runner.close();
        }
        finally
        {
            deleteRecursively(storeDir);
        }
    }

    /** Removes a test's temporary directory and everything in it. */
    public static void deleteRecursively(final Path dir) throws IOException
    {
        if (!Files.exists(dir))
        {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir))
        {
            for (final Path p : paths.sorted(Comparator.reverseOrder()).toList())
            {
                Files.deleteIfExists(p);
            }
        }
    }
}
