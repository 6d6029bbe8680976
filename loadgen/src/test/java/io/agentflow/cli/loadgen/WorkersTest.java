package io.agentflow.cli.loadgen;

import io.agentflow.cli.AgentFlow;
import io.agentflow.codec.Json;
import io.agentflow.testsupport.NatsTestServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code loadgen --workers}: real worker processes (this classpath's {@code agentflow loadgen-worker}) against a real
 * nats-server, coordinated over the bus. The merged histogram holds exactly what the workers recorded; a worker
 * killed mid-run ends the run at once, named.
 */
@Timeout(120)
class WorkersTest
{
    private static NatsTestServer server;

    @TempDir
    Path dir;

    @BeforeAll
    static void start() throws Exception
    {
        server = NatsTestServer.start();
    }

    @AfterAll
    static void stop() throws Exception
    {
        server.close();
    }

    @Test
    void twoWorkersShouldMergeIntoOneReportExactly() throws Exception
    {
        final Path report = dir.resolve("two");
        final StringWriter err = new StringWriter();
        final int exit = AgentFlow.commandLine().setErr(new PrintWriter(err, true)).execute("loadgen", "--transport",
            "nats", "--url", server.url(), "--workers", "2", "--agents", "40", "--rate", "600", "--duration", "2s",
            "--warmup", "500ms", "--payload-bytes", "256", "--target-p95", "5s", "--report-dir", report.toString());

        final Map<?, ?> summary = (Map<?, ?>)Json.parse(Files.readAllBytes(report.resolve("summary.json"))).tree();
        assertEquals(0, exit, summary + "\n" + err);
        final List<?> workers = (List<?>)summary.get("workers");
        assertEquals(2, workers.size(), summary.toString());
        long sum = 0;
        for (final Object o : workers)
        {
            final Map<?, ?> w = (Map<?, ?>)o;
            final long recorded = ((Number)w.get("recorded_final_hops")).longValue();
            assertTrue(recorded > 0, w.toString());
            assertEquals(recorded, ((Number)w.get("streamed_final_hops")).longValue(), "every interval arrived: " + w);
            assertEquals(300.0, ((Number)w.get("rate_offered")).doubleValue(), w.toString());
            sum += recorded;
        }
        assertEquals(sum, ((Number)summary.get("recorded_final_hops")).longValue(), "merged = sum: " + summary);
        assertEquals(Boolean.TRUE, ((Map<?, ?>)summary.get("merge")).get("exact"), summary.toString());
        assertEquals(0L, summary.get("lost"));
        assertEquals(((Number)summary.get("expected_final_hops")).longValue(), sum, summary.toString());
        assertTrue(Files.exists(report.resolve("worker-w1.log")) && Files.exists(report.resolve("latency.hgrm")));
        IntervalFiles.assertAddUp(report, "", summary);   // the merged seconds add up to the merged run
    }

    @Test
    void aWorkerKilledMidRunShouldEndTheRunWithItsName() throws Exception
    {
        final Path report = dir.resolve("killed");
        final StringWriter err = new StringWriter();
        final StringWriter out = new StringWriter();
        final CompletableFuture<Integer> run = CompletableFuture.supplyAsync(() -> AgentFlow.commandLine()
            .setOut(new PrintWriter(out, true)).setErr(new PrintWriter(err, true)).execute("loadgen", "--transport",
                "nats", "--url", server.url(), "--workers", "2", "--agents", "40", "--rate", "400", "--duration", "60s",
                "--warmup", "1s", "--payload-bytes", "256", "--target-p95", "5s", "--report-dir", report.toString()));
        final ProcessHandle w2 = awaitWorker("w2");
        final ProcessHandle w1 = awaitWorker("w1");
        final Path log = report.resolve("worker-w2.log");
        while (!(Files.exists(log) && Files.readString(log).contains("nats measure")))   // its progress line
        {
            Thread.sleep(50);
        }
        final long killed = System.nanoTime();
        w2.destroyForcibly();

        final int exit = run.get(30, TimeUnit.SECONDS);
        assertEquals(1, exit, out + "\n" + err);
        assertTrue(out.toString().startsWith("FAIL: worker w2 (pid " + w2.pid() + " on "), out.toString());
        assertTrue(out.toString().contains("before its result"), out.toString());
        assertTrue(System.nanoTime() - killed < TimeUnit.SECONDS.toNanos(15), "ended soon after the kill");
        assertTrue(w1.onExit().get(10, TimeUnit.SECONDS).pid() == w1.pid() && !w1.isAlive(), "w1 stopped too");
    }

    /**
     * @return the worker's process: a child of this JVM whose command line names it (read from /proc: the JDK's
     * {@code ProcessHandle.Info.commandLine()} is empty for a command line as long as a test classpath).
     */
    private static ProcessHandle awaitWorker(final String name) throws Exception
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline)
        {
            for (final ProcessHandle p : ProcessHandle.current().children().toList())
            {
                final byte[] line = readCommandLine(p.pid());
                if (new String(line, java.nio.charset.StandardCharsets.UTF_8).contains("loadgen-worker\0--url")
                    && new String(line, java.nio.charset.StandardCharsets.UTF_8).contains("--name\0" + name + "\0"))
                {
                    return p;
                }
            }
            Thread.sleep(50);
        }
        throw new AssertionError("no worker " + name + " started");
    }

    private static byte[] readCommandLine(final long pid)
    {
        try
        {
            return Files.readAllBytes(Path.of("/proc", Long.toString(pid), "cmdline"));
        }
        catch (final java.io.IOException ex)
        {
            return new byte[0];   // it ended meanwhile
        }
    }

}
