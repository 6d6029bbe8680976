package io.agentflow.cli;

import io.agentflow.codec.ErrorCode;
import io.agentflow.codec.MessageError;
import io.agentflow.codec.json.JsonLimits;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * Shared shape of {@code canon}, {@code hash} and {@code verify}: read FILE or stdin, whole or {@code --jsonl}, one
 * output line per document, in order; a bad document never stops the rest. Exit status 1 when any failed.
 */
abstract class DocumentTool implements Callable<Integer>
{
    @Spec
    CommandSpec spec;

    @Option(names = "--jsonl", description = "One JSON document per line; one output line per input line.")
    boolean jsonLines;

    @Option(names = "--max-bytes", paramLabel = "N", description = "Largest document accepted (default: ${DEFAULT-VALUE}).")
    int maxBytes = JsonLimits.MAX_BYTES_DEFAULT;

    @Parameters(arity = "0..1", paramLabel = "FILE", description = "Input file; standard input when absent.")
    Path file;

    @Override
    public final Integer call() throws IOException
    {
        final PrintWriter out = spec.commandLine().getOut();
        final JsonLimits limits = new JsonLimits(maxBytes, JsonLimits.MAX_DEPTH_DEFAULT);
        boolean anyFailed = false;
        try (DocumentSource source = new DocumentSource(file, jsonLines, maxBytes))
        {
            final DocumentSource.Document doc = new DocumentSource.Document();
            while (source.next(doc))
            {
                try
                {
                    if (doc.oversized)
                    {
                        throw new MessageError(ErrorCode.SERIALIZATION_ERROR,
                            "input too large: length=" + doc.length + ", maxBytes=" + maxBytes,
                            Map.of("length", doc.length, "max_bytes", maxBytes), null);
                    }
                    out.println(process(doc.bytes.array(), doc.bytes.length(), limits));
                }
                catch (final MessageError e)
                {
                    anyFailed = true;
                    out.println(failure(e));
                }
                out.flush();
            }
        }
        return anyFailed ? 1 : 0;
    }

    /** @return the output line for a good document. @throws MessageError for a bad one. */
    abstract String process(byte[] bytes, int length, JsonLimits limits);

    /** @return the output line for a bad document. */
    String failure(final MessageError e)
    {
        return "error " + e.code().wireName() + " " + oneLine(e.getMessage());
    }

    /** Keeps each answer on one line whatever the input held. */
    static String oneLine(final String s)
    {
        final StringBuilder sb = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++)
        {
            final char c = s.charAt(i);
            sb.append(c < 0x20 || c == 0x7F || c == '\u2028' || c == '\u2029'
                ? String.format("\\u%04x", (int)c) : String.valueOf(c));
        }
        return sb.toString();
    }
}
