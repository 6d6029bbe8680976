package io.agentflow.cli;

import io.agentflow.codec.EnvelopeDecoder;
import io.agentflow.codec.Message;
import org.erdtman.jcs.JsonCanonicalizer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DocumentToolsTest
{
    private static final String FRENCH = "{\"peach\":\"This sorting order\",\"p\u00e9ch\u00e9\":\"is wrong according to "
        + "French\",\"p\u00eache\":\"but canonicalization MUST\",\"sin\":\"ignore locale\"}";

    @TempDir
    Path dir;

    @ParameterizedTest
    @ValueSource(strings = {"sample-3.2.2", "sorting-3.2.3"})
    void canonShouldPrintTheRfcOutputAndAgreeWithAnIndependentImplementation(final String name) throws IOException
    {
        final byte[] input = resource("/rfc8785/" + name + ".json");
        final CliRun run = CliRun.of("canon", write("in.json", input).toString());

        assertEquals(0, run.exitCode(), run.err());
        final String expected = new String(resource("/rfc8785/" + name + ".canonical"), StandardCharsets.UTF_8);
        assertEquals(List.of(expected), run.lines());
        assertEquals(new JsonCanonicalizer(input).getEncodedString(), run.lines().get(0));
    }

    @Test
    void canonShouldAgreeWithAnIndependentImplementationOnTheRfcNumberTableAndSortingExamples() throws IOException
    {
        final StringBuilder jsonl = new StringBuilder();
        for (final String row : new String(resource("/rfc8785/numbers.txt"), StandardCharsets.UTF_8).split("\n"))
        {
            if (!row.startsWith("#") && !row.endsWith("error"))
            {
                final double v = Double.longBitsToDouble(Long.parseUnsignedLong(row.split(" ")[0], 16));
                jsonl.append('[').append(v).append("]\n");
            }
        }
        jsonl.append(FRENCH).append('\n');
        final List<String> inputs = List.of(jsonl.toString().split("\n"));

        final CliRun run = CliRun.of("canon", "--jsonl", write("numbers.jsonl", jsonl.toString()).toString());

        assertEquals(0, run.exitCode(), run.err());
        assertEquals(inputs.size(), run.lines().size());
        for (int i = 0; i < inputs.size(); i++)
        {
            assertEquals(new JsonCanonicalizer(inputs.get(i)).getEncodedString(), run.lines().get(i), inputs.get(i));
        }
        assertTrue(run.lines().contains("[5e-324]"));
        assertTrue(run.lines().contains("[1e+23]"));
    }

    @Test
    void canonShouldAnswerEveryLineInOrderAndKeepGoingAfterABadOne() throws IOException
    {
        final Path in = write("mixed.jsonl", "{\"b\":1,\"a\":2}\r\n{\"a\":1,\"a\":2}\n\n[1e400]\n\"x\"\n");
        final CliRun run = CliRun.of("canon", "--jsonl", in.toString());

        assertEquals(1, run.exitCode());
        assertEquals(4, run.lines().size(), "the blank line holds no document: " + run.out());
        assertEquals("{\"a\":2,\"b\":1}", run.lines().get(0));
        assertTrue(run.lines().get(1).startsWith("error serialization_error - duplicate member name \"a\""));
        assertTrue(run.lines().get(2).startsWith("error serialization_error - number outside double range"));
        assertEquals("\"x\"", run.lines().get(3));
    }

    @Test
    void canonShouldReportAnOversizedLineAndStillReadTheNextOne() throws IOException
    {
        final Path in = write("big.jsonl", "[\"" + "x".repeat(5000) + "\"]\n[1]\n");
        final CliRun run = CliRun.of("canon", "--jsonl", "--max-bytes", "1000", in.toString());

        assertEquals(List.of("error serialization_error - input too large: length=5004, maxBytes=1000", "[1]"),
            run.lines());
    }

    @Test
    void newThenHashThenVerifyShouldAgree() throws IOException
    {
        final CliRun made = CliRun.of("new", "--from", "planner", "--to", "worker-1", "--type", "request",
            "--payload", "{\"task\": \"sum\", \"args\": [1, 2.50]}", "--metadata", "{\"workflow_id\": \"wf-9\"}");
        assertEquals(0, made.exitCode(), made.err());
        final String wire = made.lines().get(0);
        final Message m = new EnvelopeDecoder().decode(wire.getBytes(StandardCharsets.UTF_8));
        assertEquals("wf-9", m.workflowId());
        assertEquals("{\"args\":[1,2.5],\"task\":\"sum\"}", m.payload().toString());

        final Path file = write("m.json", wire);
        assertEquals(List.of(m.envelopeHash()), CliRun.of("hash", file.toString()).lines());
        final String withoutHash = wire.replaceFirst("\"envelope_hash\":\"[0-9a-f]{64}\",", "");
        assertEquals(List.of(m.envelopeHash()), CliRun.of("hash", write("nohash.json", withoutHash).toString()).lines());

        final CliRun verified = CliRun.of("verify", file.toString());
        assertEquals(0, verified.exitCode());
        assertEquals(List.of("ok " + m.id()), verified.lines());
    }

    @Test
    void verifyShouldNameTheCodeAndIdOfEachFailure() throws IOException
    {
        final String good = CliRun.of("new", "--from", "a", "--to", "b", "--type", "event", "--payload", "{\"n\":1}")
            .lines().get(0);
        final String id = good.replaceAll(".*\"id\":\"([0-9A-Z]{26})\".*", "$1");
        final String tampered = good.replace("{\"n\":1}", "{\"n\":2}");
        final String noType = good.replace(",\"type\":\"event\"", "");
        final Path in = write("batch.jsonl", good + "\n" + tampered + "\n" + noType + "\n{oops\n");

        final CliRun run = CliRun.of("verify", "--jsonl", in.toString());

        assertEquals(1, run.exitCode());
        assertEquals("ok " + id, run.lines().get(0));
        assertTrue(run.lines().get(1).startsWith("error hash_mismatch " + id + " envelope_hash does not match"),
            run.lines().get(1));
        assertEquals("error schema_error " + id + " $.type: is required", run.lines().get(2), "contract before hash");
        assertTrue(run.lines().get(3).startsWith("error serialization_error - "), run.lines().get(3));
    }

    /** Issue 20: the root help cut command summaries mid-sentence (it shows one line of each). */
    @Test
    void everyCommandSummaryIsAWholeSentence()
    {
        AgentFlow.commandLine().getSubcommands().forEach((name, sub) ->
        {
            final String[] header = sub.getCommandSpec().usageMessage().header();
            final String summary = header.length > 0 ? header[0] : sub.getCommandSpec().usageMessage().description()[0];
            assertTrue(summary.endsWith("."), name + ": " + summary);
        });
    }

    @Test
    void newShouldTakeTheTypeInAnyCase()
    {
        final CliRun run = CliRun.of("new", "--from", "a", "--to", "b", "--type", "REQUEST");
        assertEquals(0, run.exitCode(), run.err());
        assertTrue(run.out().contains("\"type\":\"request\""), run.out());
    }

    @Test
    void newShouldRefuseAnInvalidTypeWithAClearError()
    {
        final CliRun run = CliRun.of("new", "--from", "a", "--to", "b", "--type", "shout");
        assertEquals(AgentFlow.USAGE_ERROR, run.exitCode());
        assertTrue(run.err().startsWith("error validation_error - $.type: expected request, response, event or control"),
            run.err());
    }

    /** Issue 20: blank lines between JSON lines were answered as errors; they hold no document. */
    @Test
    void blankLinesInJsonLinesAreSkipped() throws IOException
    {
        final Path file = write("blank.jsonl", "{\"b\":1}\n\n\r\n{\"a\":2}\n\n");
        final CliRun run = CliRun.of("canon", "--jsonl", file.toString());
        assertEquals(0, run.exitCode(), run.err());
        assertEquals(List.of("{\"b\":1}", "{\"a\":2}"), run.lines());
    }

    /**
     * Issue 20: ordinary mistakes printed stack traces. Each now ends with one line, {@code error <code> <text>},
     * and status 2 ({@link AgentFlow#USAGE_ERROR}); a broker that cannot be reached is status 3.
     */
    @Test
    void ordinaryMistakesGetOneLineAndAStatusNotAStackTrace()
    {
        final List<String[]> mistakes = List.of(
            new String[] {"verify", "/nonexistent.json"},
            new String[] {"canon", "--max-bytes=-5"},
            new String[] {"tail", "--timeout", "banana", "agents.x.in"},
            new String[] {"replay", "--workflow", "wf-1", "--since", "yesterday", "--url", "nats://127.0.0.1:1"});
        for (final String[] args : mistakes)
        {
            final CliRun run = CliRun.of(args);
            assertEquals(AgentFlow.USAGE_ERROR, run.exitCode(), String.join(" ", args) + ": " + run.err());
            assertTrue(run.err().startsWith("error validation_error "), run.err());
            assertEquals(1, run.err().strip().split("\n").length, "one line: " + run.err());
            assertTrue(!run.err().contains("\tat ") && !run.err().contains("Exception"), run.err());
        }
        final CliRun down = CliRun.of("replay", "--workflow", "wf-1", "--url", "nats://user:pw@127.0.0.1:1");
        assertEquals(AgentFlow.UNAVAILABLE, down.exitCode(), down.err());
        assertTrue(down.err().startsWith("error transport_error - cannot connect to nats://***@127.0.0.1:1"),
            down.err());
        assertEquals("agentflow development build", CliRun.of("verify", "-V").out().strip(), "-V on a subcommand");
    }

    private Path write(final String name, final String content) throws IOException
    {
        return write(name, content.getBytes(StandardCharsets.UTF_8));
    }

    private Path write(final String name, final byte[] content) throws IOException
    {
        return Files.write(dir.resolve(name), content);
    }

    private static byte[] resource(final String name) throws IOException
    {
        try (InputStream in = DocumentToolsTest.class.getResourceAsStream(name))
        {
            return in.readAllBytes();
        }
    }
}
