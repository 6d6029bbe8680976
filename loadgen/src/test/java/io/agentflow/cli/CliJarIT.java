package io.agentflow.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The runnable jar as users get it (issue 20), after {@code package}: at most 14.3 MB (30% below the 20.45 MB it was,
 * which carried OkHttp and Kotlin, Jackson and a shaded protobuf), and {@code java -jar} on JDK 25 prints no warning
 * (JEP 498's sun.misc.Unsafe memory-access warnings, JEP 472's native-access ones) while it runs the load generator
 * in process and over a private nats-server, and the codec commands. JDK 25 is found as {@code JDK25_HOME} or under
 * {@code /usr/lib/jvm}; without it this fails, saying so.
 */
@Timeout(300)
class CliJarIT
{
    private static final long MAX_JAR_BYTES = 14_300_000L;

    @Test
    void theJarIsSmallAndRunsWithoutAWarningOnJdk25(@TempDir final Path dir) throws Exception
    {
        final Path jar = Path.of(System.getProperty("agentflow.jar", "target/agentflow.jar"));
        assertTrue(Files.isRegularFile(jar), "no " + jar.toAbsolutePath() + ": this test runs after package");
        assertTrue(Files.size(jar) <= MAX_JAR_BYTES, jar + " is " + Files.size(jar) + " bytes, over " + MAX_JAR_BYTES);

        final Path java = jdk25().resolve("bin").resolve("java");
        final Path message = Files.writeString(dir.resolve("m.json"), "{\"cost\":{\"dollars\":0,\"tokens\":0},"
            + "\"from\":\"a\",\"id\":\"01JDQ5XKJ1ZB9T7N2W0S4P8M6C\",\"metadata\":{},\"payload\":{\"q\":1},\"span_id\":\"\","
            + "\"to\":\"b\",\"trace_id\":\"\",\"ts\":\"2026-11-26T20:06:50.123456Z\",\"type\":\"request\"}\n");
        final List<List<String>> commands = List.of(
            List.of("--version"),
            List.of("hash", message.toString()),
            // a 1 s warm-up is short for a p95 budget: the runs are here for the code paths they take
            List.of("loadgen", "--transport", "embedded", "--warmup", "1s", "--duration", "2s", "--target-p95", "10s",
                "--report-dir", dir.resolve("embedded").toString()),
            List.of("loadgen", "--transport", "auto", "--warmup", "1s", "--duration", "2s", "--target-p95", "10s",
                "--report-dir", dir.resolve("nats").toString()));
        for (final List<String> command : commands)
        {
            final List<String> line = new ArrayList<>(List.of(java.toString(), "-jar", jar.toString()));
            line.addAll(command);
            final Path err = dir.resolve("err.txt");
            final Process p = new ProcessBuilder(line).redirectError(err.toFile())
                .redirectOutput(dir.resolve("out.txt").toFile()).start();
            assertTrue(p.waitFor(120, TimeUnit.SECONDS), command + " did not finish");
            final String stderr = Files.readString(err, StandardCharsets.UTF_8);
            assertEquals(0, p.exitValue(), command + ": " + stderr);
            assertTrue(stderr.lines().noneMatch(l -> l.startsWith("WARNING")), command + " warned:\n" + stderr);
        }
    }

    private static Path jdk25() throws IOException
    {
        final String home = System.getenv("JDK25_HOME");
        if (null != home)
        {
            return Path.of(home);
        }
        try (Stream<Path> jvms = Files.list(Path.of("/usr/lib/jvm")))
        {
            return jvms.filter(p -> p.getFileName().toString().matches(".*-25(\\.[0-9.]+)?-.*|.*jdk-25.*"))
                .filter(p -> Files.isExecutable(p.resolve("bin").resolve("java"))).findFirst()
                .orElseThrow(() -> new AssertionError("no JDK 25 under /usr/lib/jvm: set JDK25_HOME"));
        }
    }
}
