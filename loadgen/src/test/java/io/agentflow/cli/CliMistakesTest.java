package io.agentflow.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every subcommand meets the ordinary mistakes (issue 20): an unknown option, a bad value, a file that is not there,
 * malformed input, an unreachable broker. Each ends with its documented exit status (the same list in every help)
 * and failure lines of one format, {@code error <code> <id> <detail>}, never a stack trace.
 */
@Timeout(120)
class CliMistakesTest
{
    private static final List<String> SUBCOMMANDS = List.of("canon", "hash", "verify", "new", "streams", "publish",
        "tail", "replay", "loadgen", "loadgen-worker", "report", "completion");
    private static final Pattern FAILURE = Pattern.compile("error [a-z_]+ \\S+ .+");
    private static final String DOWN = "nats://127.0.0.1:1";

    @TempDir
    Path dir;

    @Test
    void everySubcommandRefusesAnUnknownOptionInOneLineAndDocumentsItsExitStatus()
    {
        for (final String sub : SUBCOMMANDS)
        {
            expect(2, "stderr", sub, "--no-such-option");
            final CliRun help = CliRun.of(sub, "--help");
            assertEquals(0, help.exitCode(), sub);
            for (final String code : List.of("0", "1", "2", "3"))
            {
                assertTrue(help.out().contains("Exit status:") && Pattern.compile("(?m)^\\s+" + code + "\\s+\\S")
                    .matcher(help.out()).find(), sub + " --help lists exit status " + code + ":\n" + help.out());
            }
            assertTrue(CliRun.of(sub, "-V").out().startsWith("agentflow "), sub + " -V");
        }
    }

    @Test
    void theDocumentToolsAnswerBadFilesValuesAndDocumentsWithOneFailureFormat() throws IOException
    {
        final Path bad = Files.writeString(dir.resolve("bad.jsonl"), "{\"a\":1,\"a\":2}\n\n[1e999]\n");
        for (final String tool : List.of("canon", "hash", "verify"))
        {
            expect(2, "stderr", tool, "/nonexistent.json");
            expect(2, "stderr", tool, "--max-bytes=-5", bad.toString());
            expect(1, "stdout", tool, "--jsonl", bad.toString());
        }
        expect(2, "stderr", "new", "--from", "a", "--to", "b", "--type", "REQUESTED");
        expect(2, "stderr", "new", "--from", "a", "--to", "b", "--type", "request", "--payload", "{nope");
    }

    @Test
    void theBusCommandsAnswerBadValuesAndAnUnreachableBrokerWithOneFailureFormat()
    {
        expect(2, "stderr", "tail", "--timeout", "banana", "agents.x.in");
        expect(2, "stderr", "replay", "--workflow", "wf-1", "--since", "yesterday", "--url", DOWN);
        expect(2, "stderr", "publish", "--url", DOWN, "agents.x.in", "/nonexistent.jsonl");
        expect(2, "stderr", "loadgen", "--rate", "-5");
        expect(2, "stderr", "loadgen", "--duration", "banana");
        expect(2, "stderr", "loadgen", "--workers", "2", "--baseline", "raw-jnats");
        expect(2, "stderr", "loadgen", "--workers", "2", "--transport", "embedded");
        expect(2, "stderr", "loadgen-worker", "--run", "not-a-run!");
        expect(2, "stderr", "loadgen-worker");
        expect(2, "stderr", "--config", "/nonexistent.properties", "canon", "-");
        expect(2, "stderr", "--profile", "staging", "canon", "-");
        expect(2, "stderr", "report", "compare", "/nonexistent-a", "/nonexistent-b");
        expect(3, "stderr", "streams", "--url", DOWN);
        expect(3, "stderr", "tail", "--url", DOWN, "agents.x.in");
        expect(3, "stderr", "replay", "--workflow", "wf-1", "--url", DOWN);
        expect(3, "stderr", "loadgen", "--transport", "nats", "--url", DOWN, "--duration", "1s", "--warmup", "0s");
        expect(3, "stderr", "loadgen-worker", "--url", DOWN, "--run", "abc123");
    }

    /** A shell completion script that knows every subcommand and its options. */
    @Test
    void completionWritesABashScriptForEveryCommand()
    {
        final CliRun run = CliRun.of("completion");
        assertEquals(0, run.exitCode(), run.err());
        assertTrue(run.out().contains("complete -F") && run.out().contains("--workflow")
            && run.out().contains("--metrics-bind"), run.out());
        for (final String sub : SUBCOMMANDS)
        {
            assertTrue(run.out().contains(sub), sub + " in the completion script");
        }
        assertTrue(CliRun.of("--help").out().contains("completion"), "listed in the help");
    }

        /** {@code -} is standard input: a real process reads malformed lines there and answers each in one format. */
    @Test
    void standardInputIsReadWithDashAndItsBadLinesAnsweredInTheOneFormat() throws Exception
    {
        final Path in = java.nio.file.Files.writeString(dir.resolve("stdin.jsonl"), "{\"a\":\n\n[1,2\n");
        final Process p = new ProcessBuilder(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "-cp", System.getProperty("java.class.path"), AgentFlow.class.getName(), "verify", "--jsonl", "-"))
            .redirectInput(in.toFile()).redirectError(dir.resolve("err.txt").toFile())
            .redirectOutput(dir.resolve("out.txt").toFile()).start();
        assertTrue(p.waitFor(60, java.util.concurrent.TimeUnit.SECONDS));
        final List<String> out = java.nio.file.Files.readAllLines(dir.resolve("out.txt"));
        assertEquals(1, p.exitValue(), out + " " + java.nio.file.Files.readString(dir.resolve("err.txt")));
        assertEquals(2, out.size(), "two bad lines, the blank one skipped: " + out);
        out.forEach(line -> assertTrue(FAILURE.matcher(line).matches(), line));
        assertTrue(!java.nio.file.Files.readString(dir.resolve("err.txt")).contains("\tat "), "no stack trace");
    }

    /** Runs {@code args} and checks the status, that the failure lines are on {@code where}, and their format. */
    private static void expect(final int status, final String where, final String... args)
    {
        final CliRun run = CliRun.of(args);
        final String what = String.join(" ", args) + "\nstdout: " + run.out() + "\nstderr: " + run.err();
        assertEquals(status, run.exitCode(), what);
        final List<String> failures = new ArrayList<>();
        for (final String line : ("stdout".equals(where) ? run.out() : run.err()).split("\n"))
        {
            if (line.startsWith("error "))
            {
                failures.add(line);
                assertTrue(FAILURE.matcher(line).matches(), "one failure format: " + line);
            }
        }
        assertTrue(!failures.isEmpty(), "a failure line on " + where + ": " + what);
        if ("stderr".equals(where) && 1 != status)
        {
            assertEquals(1, run.err().strip().split("\n").length, "one line: " + what);
        }
        final String all = run.out() + run.err();
        assertTrue(!all.contains("\tat ") && !all.contains("Caused by"), "no stack trace: " + what);
    }
}
