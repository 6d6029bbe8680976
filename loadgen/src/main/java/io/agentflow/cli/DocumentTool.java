package io.agentflow.cli;

import io.agentflow.codec.error.ErrorCode;
import io.agentflow.codec.error.MessageError;
import io.agentflow.codec.json.JsonLimits;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
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

    private static final int BATCH = 4096;
    private static final long BATCH_BYTES = 16L * 1024 * 1024;

    @Option(names = "--jsonl", description = "One JSON document per line; one output line per non-blank input line.")
    boolean jsonLines;

    @Option(names = "--max-bytes", paramLabel = "N", description = "Largest document accepted (default: ${DEFAULT-VALUE}).")
    int maxBytes = JsonLimits.MAX_BYTES_DEFAULT;

    @Parameters(arity = "0..1", paramLabel = "FILE", description = "Input file; standard input when absent or -.")
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
            final List<Object> batch = new ArrayList<>();   // a document's bytes, or the length of one too large
            long batchBytes = 0;
            while (source.next(doc))
            {
                batch.add(doc.oversized ? (Object)doc.length : Arrays.copyOf(doc.bytes.array(), doc.bytes.length()));
                batchBytes += doc.bytes.length();
                // answer when the batch is full or the input pauses, so a pipe gets its answers as lines come
                if (batch.size() >= BATCH || batchBytes >= BATCH_BYTES || !source.ready())
                {
                    anyFailed |= answer(batch, limits, out);
                    batch.clear();
                    batchBytes = 0;
                }
            }
            anyFailed |= answer(batch, limits, out);
        }
        return anyFailed ? 1 : 0;
    }

    /** Prints one line per document of {@code batch}, in order. @return whether any failed. */
    private boolean answer(final List<Object> batch, final JsonLimits limits, final PrintWriter out)
    {
        final List<byte[]> documents = new ArrayList<>(batch.size());
        for (final Object entry : batch)
        {
            if (entry instanceof byte[])
            {
                documents.add((byte[])entry);
            }
        }
        final Iterator<Answer> answers = processAll(documents, limits).iterator();
        boolean anyFailed = false;
        for (final Object entry : batch)
        {
            final Answer a = entry instanceof byte[] ? answers.next() : new Answer(null, new MessageError(
                ErrorCode.SERIALIZATION_ERROR, "input too large: length=" + entry + ", maxBytes=" + maxBytes,
                Map.of("length", entry, "max_bytes", maxBytes), null));
            anyFailed |= null != a.error();
            out.println(null == a.error() ? a.line() : failure(a.error()));
        }
        out.flush();
        return anyFailed;
    }

    /** One document's answer: its output line, or why it failed. */
    record Answer(String line, MessageError error)
    {
    }

    /** @return one answer per document, in order. */
    abstract List<Answer> processAll(List<byte[]> documents, JsonLimits limits);

    /** One document's output line. @throws MessageError for a bad document. */
    @FunctionalInterface
    interface LineOf
    {
        String apply(byte[] document);
    }

    /** @return {@code lineOf} applied to each document in turn, a failure answered in its place. */
    static List<Answer> each(final List<byte[]> documents, final LineOf lineOf)
    {
        final List<Answer> answers = new ArrayList<>(documents.size());
        for (final byte[] d : documents)
        {
            try
            {
                answers.add(new Answer(lineOf.apply(d), null));
            }
            catch (final MessageError e)
            {
                answers.add(new Answer(null, e));
            }
        }
        return answers;
    }

    /** @return the output line for a bad document. */
    String failure(final MessageError e)
    {
        return FailureLine.of(e);
    }
}
