package io.agentflow.cli.loadgen;

import io.agentflow.cli.AgentFlow;
import io.agentflow.codec.Json;
import io.agentflow.testsupport.Await;
import io.agentflow.testsupport.NatsTestServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A short real run of each pattern on both transports: every message arrives once, verified, and the report
 * directory holds what issue 6 lists. Timings are not asserted (the budget is generous): that is the reference
 * runs' job, on a quiet machine.
 */
@Timeout(120)
class LoadgenRunTest
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

    @ParameterizedTest(name = "{0} over {1}, publish path {2}")
    @CsvSource({"request-reply,nats,pipeline", "fan-out,nats,pipeline", "pipeline,nats,pipeline",
        "request-reply,embedded,pipeline", "fan-out,embedded,pipeline", "pipeline,embedded,pipeline",
        "request-reply,nats,message", "request-reply,embedded,message"})
    void shouldRunEachPatternOnEachTransportWithoutLoss(final String pattern, final String transport,
        final String publishPath) throws Exception
    {
        final Path report = dir.resolve(pattern + "-" + transport + "-" + publishPath);
        final StringWriter err = new StringWriter();
        final int exit = AgentFlow.commandLine().setErr(new PrintWriter(err, true)).execute("loadgen",
            "--transport", transport, "--url", server.url(), "--pattern", pattern, "--agents", "40", "--rate", "400",
            "--duration", "2s", "--warmup", "500ms", "--payload-bytes", "256", "--target-p95", "5s",
            "--publish-path", publishPath, "--report-dir", report.toString());

        final Map<?, ?> summary = (Map<?, ?>)Json.parse(Files.readAllBytes(report.resolve("summary.json"))).tree();
        assertEquals(0, exit, "summary: " + summary + "\n" + err);
        assertEquals(transport, summary.get("transport"));
        assertEquals(pattern, summary.get("pattern"));
        assertEquals(0L, summary.get("lost"));
        assertEquals(0L, summary.get("duplicates"));
        assertEquals(0L, summary.get("failed_verification"));
        assertTrue(((Number)summary.get("recorded_final_hops")).longValue() > 0);
        assertEquals(publishPath, ((Map<?, ?>)summary.get("environment")).get("publish_path"));
        assertTrue(((Number)summary.get("client_cpu_us_per_message")).doubleValue() > 0, summary.toString());
        assertTrue(((Number)summary.get("messages_measured")).longValue() > 0, summary.toString());
        for (final String file : new String[]{"latency.hgrm", "latency.hlog", "intervals.csv", "percentiles.png",
            "latency-over-time.png", "throughput-over-time.png", "backlog-over-time.png", "report.html"})
        {
            assertTrue(Files.size(report.resolve(file)) > 100, file);
        }
        IntervalFiles.assertAddUp(report, "", summary);
        assertTrue(Files.readString(report.resolve("report.html")).contains("ms within the 5000.00 ms budget"));
        assertTrue(Files.readString(report.resolve("latency.hgrm")).contains("Value     Percentile TotalCount"));
    }

    @Test
    void autoShouldUseAServerThatAnswers() throws Exception
    {
        final StringWriter err = new StringWriter();
        final Map<?, ?> summary = quickAutoRun(server.url(), err);
        assertEquals("nats", summary.get("transport"));
        assertEquals(server.url(), ((Map<?, ?>)summary.get("environment")).get("transport_endpoint"));
    }

    @Test
    void autoShouldStartAPrivateServerWhenNoneAnswers() throws Exception
    {
        final int deadPort;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0))
        {
            deadPort = s.getLocalPort();
        }
        final Map<?, ?> summary = quickAutoRun("nats://127.0.0.1:" + deadPort, new StringWriter());
        assertEquals("nats", summary.get("transport"));
        final String endpoint = (String)((Map<?, ?>)summary.get("environment")).get("transport_endpoint");
        assertTrue(endpoint.startsWith("nats://127.0.0.1:") && !endpoint.endsWith(":" + deadPort), endpoint);
    }

    @Test
    void shouldServePrometheusMetricsWhileItRuns() throws Exception
    {
        final int port;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0))
        {
            port = s.getLocalPort();
        }
        final java.util.concurrent.CompletableFuture<Integer> run = java.util.concurrent.CompletableFuture.supplyAsync(
            () -> AgentFlow.commandLine().execute("loadgen", "--transport", "embedded", "--agents", "10", "--rate",
                "200", "--duration", "3s", "--warmup", "200ms", "--target-p95", "5s", "--metrics-port",
                Integer.toString(port), "--metrics-bind", "127.0.0.2", "--report-dir", dir.resolve("metrics").toString()));
        final java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
        final java.net.URI uri = java.net.URI.create("http://127.0.0.2:" + port + "/metrics");   // where it was bound
        final String[] body = {""};
        io.agentflow.testsupport.Await.until(java.time.Duration.ofSeconds(20), () ->
        {
            try
            {
                body[0] = http.send(java.net.http.HttpRequest.newBuilder(uri).build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString()).body();
            }
            catch (final java.io.IOException ex)
            {
                return false;   // not listening yet
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
                return false;
            }
            // the counters exist at 0 from the start: wait for a delivery's latency to show
            return body[0].contains("agentflow_message_latency_seconds_bucket");
        }, () -> "metrics during the run: " + body[0]);
        assertTrue(java.util.regex.Pattern.compile(
            "agentflow_messages_total\\{message_type=\"request\",status=\"delivered\"\\} [1-9]").matcher(body[0]).find(),
            "deliveries counted: " + body[0]);
        org.junit.jupiter.api.Assertions.assertThrows(java.io.IOException.class, () -> http.send(
            java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + port + "/metrics")).build(),
            java.net.http.HttpResponse.BodyHandlers.ofString()), "bound to 127.0.0.2 only");
        assertTrue(body[0].contains("subject=\"agents.*.in\""), body[0]);
        assertEquals(0, run.get(60, java.util.concurrent.TimeUnit.SECONDS));
    }

    /**
     * Issue 21: every figure covers the measured part, so a run offered far more than this machine carries reports
     * an achieved rate below the offered one (the bus falls behind and the measured flows take longer to arrive,
     * nothing lost: over NATS the stream keeps the backlog), while one well within it reports the offered rate and
     * counts only the measured part's messages. Dividing by the scheduled seconds instead, as before, reported the
     * saturated run at its offered rate (checked). The saturated run's backlog shows in the per-second figures.
     */
    @Test
    void theSummaryCoversTheMeasuredPartAndASaturatedRunAchievesLessThanOffered() throws Exception
    {
        final Map<?, ?> easy = run("easy", "embedded", "2000");
        final double offered = ((Number)easy.get("rate_offered")).doubleValue();
        final double achieved = ((Number)easy.get("rate_achieved")).doubleValue();
        assertTrue(achieved > 0.97 * offered && achieved <= offered * 1.001, "within capacity: " + easy);
        final long messages = ((Number)easy.get("messages")).longValue();
        assertTrue(messages > 0.95 * 2000 * 2 && messages < 1.05 * 2000 * 2, "2 s at 2000 msgs/s, no warm-up: " + easy);
        assertEquals(((Number)easy.get("expected_final_hops")).longValue(),
            ((Number)easy.get("recorded_final_hops")).longValue(), "every measured flow recorded: " + easy);
        assertEquals(0L, ((Map<?, ?>)easy.get("warmup")).get("lost"), easy.toString());

        // several times what 2 cores carry (32,000 msgs/s were achieved at 40,000 offered in one CI run: too close)
        final Map<?, ?> saturated = run("saturated", "nats", "100000");
        final double offeredHigh = ((Number)saturated.get("rate_offered")).doubleValue();
        final double achievedHigh = ((Number)saturated.get("rate_achieved")).doubleValue();
        assertEquals(0L, saturated.get("lost"), "the backlog is kept, not lost: " + saturated);
        assertTrue(achievedHigh < 0.8 * offeredHigh, "saturated: " + saturated);
        // the backlog shows: at least a fifth of 2 s of 100,000 msgs/s behind the schedule or in flight
        assertTrue(2 * ((Number)saturated.get("max_behind_flows")).longValue()
            + ((Number)saturated.get("max_in_flight")).longValue() > 20_000, "backlog: " + saturated);
        assertTrue(((Number)easy.get("max_behind_flows")).longValue() < 500, "kept up: " + easy);
    }

    private Map<?, ?> run(final String name, final String transport, final String rate) throws Exception
    {
        final Path report = dir.resolve(name);
        final StringWriter err = new StringWriter();
        AgentFlow.commandLine().setErr(new PrintWriter(err, true)).execute("loadgen", "--transport", transport,
            "--url", server.url(), "--agents", "100", "--rate", rate, "--payload-bytes", "256", "--duration", "2s",
            "--warmup", "1s", "--target-p95", "60s", "--report-dir", report.toString());
        return (Map<?, ?>)Json.parse(Files.readAllBytes(report.resolve("summary.json"))).tree();
    }

    private Map<?, ?> quickAutoRun(final String url, final StringWriter err) throws Exception
    {
        final Path report = dir.resolve("auto-" + url.hashCode());
        final int exit = AgentFlow.commandLine().setErr(new PrintWriter(err, true)).execute("loadgen", "--url", url,
            "--agents", "10", "--rate", "100", "--duration", "1s", "--warmup", "200ms", "--target-p95", "5s",
            "--report-dir", report.toString());
        final Map<?, ?> summary = (Map<?, ?>)Json.parse(Files.readAllBytes(report.resolve("summary.json"))).tree();
        assertEquals(0, exit, summary + "\n" + err);
        return summary;
    }

    /**
     * A capacity search over NATS with the baseline, held at its ceiling so that it is short: two searches per
     * transport in turns, each offering 500 then 1000 msgs/s; the report holds each search's result, their medians,
     * the ratio, every probe and the curve.
     */
    @Test
    void shouldSearchForCapacityOfOursAndTheBaseline() throws Exception
    {
        final Path report = dir.resolve("find-max");
        final CliRunOutput run = execute("loadgen", "--transport", "nats", "--url", server.url(), "--agents", "20",
            "--find-max", "--rate", "500", "--max-rate", "1000", "--repeats", "2", "--duration", "1s", "--warmup",
            "200ms", "--target-p95", "5s", "--baseline", "raw-jnats", "--report-dir", report.toString());

        final Map<?, ?> capacity = (Map<?, ?>)Json.parse(Files.readAllBytes(report.resolve("capacity.json"))).tree();
        assertEquals(0, run.exit(), capacity + "\n" + run.err());
        final Map<?, ?> transports = (Map<?, ?>)capacity.get("transports");
        for (final String t : new String[]{"nats", "raw-jnats"})
        {
            final Map<?, ?> m = (Map<?, ?>)transports.get(t);
            assertEquals(1000.0, ((Number)m.get("held_median")).doubleValue(), capacity.toString());
            assertEquals(java.util.List.of(true, true), m.get("capped"), capacity.toString());
        }
        assertEquals(1.0, ((Number)((Map<?, ?>)((Map<?, ?>)capacity.get("ratio")).get("raw-jnats")).get("of_medians"))
            .doubleValue());
        final java.util.List<?> probes = (java.util.List<?>)capacity.get("probes");
        assertEquals(8, probes.size(), capacity.toString());
        assertEquals(java.util.List.of("nats", "nats", "raw-jnats", "raw-jnats", "nats", "nats", "raw-jnats",
            "raw-jnats"), probes.stream().map(p -> ((Map<?, ?>)p).get("transport")).toList(), "in turns");
        assertEquals(9, Files.readAllLines(report.resolve("capacity.csv")).size());
        assertTrue(Files.size(report.resolve("capacity.png")) > 1000);
        assertTrue(Files.readString(report.resolve("report.html")).contains("capacity.png"));
        assertTrue(run.out().contains("capacity nats: 1000 msgs/s (median of 2"), run.out());
        assertTrue(((String)((Map<?, ?>)capacity.get("environment")).get("server_version")).startsWith("nats-server"));
    }

    /** A budget nothing can meet: the search halves the rate six times, reports that nothing held and fails. */
    @Test
    void aCapacitySearchWhereNothingHoldsShouldFail() throws Exception
    {
        final Path report = dir.resolve("find-max-none");
        final CliRunOutput run = execute("loadgen", "--transport", "embedded", "--agents", "10", "--find-max",
            "--rate", "800", "--repeats", "1", "--duration", "300ms", "--warmup", "100ms", "--target-p95", "PT0.000001S",
            "--report-dir", report.toString());

        final Map<?, ?> capacity = (Map<?, ?>)Json.parse(Files.readAllBytes(report.resolve("capacity.json"))).tree();
        assertEquals(1, run.exit(), capacity + "\n" + run.err());
        final Map<?, ?> ours = (Map<?, ?>)((Map<?, ?>)capacity.get("transports")).get("embedded");
        assertEquals(0.0, ((Number)ours.get("held_median")).doubleValue(), capacity.toString());
        assertEquals(java.util.List.of(12.5), ours.get("broken"), capacity.toString());
        assertEquals(7, ((java.util.List<?>)capacity.get("probes")).size(), "800 and six halvings: " + capacity);
    }

    private record CliRunOutput(int exit, String out, String err)
    {
    }

    private static CliRunOutput execute(final String... args)
    {
        final StringWriter out = new StringWriter();
        final StringWriter err = new StringWriter();
        final int exit = AgentFlow.commandLine().setOut(new PrintWriter(out, true)).setErr(new PrintWriter(err, true))
            .execute(args);
        return new CliRunOutput(exit, out.toString(), err.toString());
    }

    @ParameterizedTest
    @CsvSource({"request-reply"})
    void shouldCompareWithRawJnatsInTheSameInvocation(final String pattern) throws Exception
    {
        final Path report = dir.resolve("baseline");
        final int exit = AgentFlow.commandLine().execute("loadgen", "--transport", "nats", "--url", server.url(),
            "--pattern", pattern, "--agents", "20", "--rate", "200", "--duration", "2s", "--warmup", "500ms",
            "--target-p95", "5s", "--baseline", "raw-jnats,raw-jnats-noid", "--server-pid",
            Long.toString(server.pid()), "--report-dir", report.toString());

        final Map<?, ?> summary = (Map<?, ?>)Json.parse(Files.readAllBytes(report.resolve("summary.json"))).tree();
        assertEquals(0, exit, summary.toString());
        final Map<?, ?> baseline = (Map<?, ?>)summary.get("baseline");
        assertEquals("raw-jnats", baseline.get("transport"));
        assertEquals(0L, baseline.get("lost"));
        assertTrue(((Map<?, ?>)summary.get("ratio")).containsKey("p95"));
        assertTrue(((Number)((Map<?, ?>)summary.get("ratio")).get("client_cpu_per_message")).doubleValue() > 0);
        // the server's CPU is read from /proc for ours and both baselines
        assertTrue(((Number)summary.get("server_cpu_us_per_message")).doubleValue() >= 0, summary.toString());
        final Map<?, ?> noid = (Map<?, ?>)((Map<?, ?>)summary.get("baselines")).get("raw-jnats-noid");
        assertEquals(0L, noid.get("lost"));
        assertTrue(((Number)noid.get("server_cpu_us_per_message")).doubleValue() >= 0, noid.toString());
        assertTrue(Files.exists(report.resolve("baseline-latency.hgrm")));
        IntervalFiles.assertAddUp(report, "baseline-", baseline);
    }
}
