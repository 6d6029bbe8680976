package io.agentflow.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The command line as a user starts it, in a JVM of its own ({@code AgentFlow.main}): stdout carries the command's
 * data only, stderr JSON log lines and verdicts. Logback's start-up status (printed whole, to stdout, once its
 * configuration had one warning) and OpenTelemetry's INFO notice through java.util.logging's own console handler
 * used to open every run.
 */
class CliStartupOutputTest
{
    @Test
    void aRunPrintsNoLoggingFrameworkChatter(@TempDir final Path dir) throws Exception
    {
        final Path err = dir.resolve("err.txt");
        // the shipped configuration, not the tests' logback-test.xml that the class path would pick first
        final String shipped = Path.of(AgentFlow.class.getResource("/logback.xml").toURI()).toString();
        final Process process = new ProcessBuilder(List.of(
            Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "-Dlogback.configurationFile=" + shipped,
            "-cp", System.getProperty("java.class.path"), AgentFlow.class.getName(),
            "loadgen", "--transport", "embedded", "--agents", "10", "--rate", "100", "--duration", "1s",
            "--warmup", "200ms", "--target-p95", "5s", "--report-dir", dir.resolve("report").toString()))
            .redirectOutput(dir.resolve("out.txt").toFile())
            .redirectError(err.toFile())
            .start();
        assertTrue(process.waitFor(60, TimeUnit.SECONDS), "the run ends");
        final String stderr = Files.readString(err, StandardCharsets.UTF_8);
        final String stdout = Files.readString(dir.resolve("out.txt"), StandardCharsets.UTF_8);
        assertEquals(0, process.exitValue(), stderr);
        for (final String output : List.of(stdout, stderr))
        {
            assertFalse(output.contains("ch.qos.logback"), output);
            assertFalse(output.contains("AutoConfiguredOpenTelemetrySdk"), output);
        }
        for (final String line : stderr.split("\n"))
        {
            assertTrue(line.isEmpty() || line.startsWith("{") || line.startsWith("PASS") || line.startsWith("FAIL")
                || line.startsWith("embedded ") || line.startsWith("report:") || line.startsWith("loadgen:"),
                "an unexpected stderr line: " + line);
        }
    }
}
