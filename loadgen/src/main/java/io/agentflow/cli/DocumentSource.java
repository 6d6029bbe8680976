package io.agentflow.cli;

import io.agentflow.codec.json.GrowableBytes;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Reads the documents a tool works on from a file or standard input: the whole input as one document, or with
 * {@code --jsonl} one document per line. Memory stays bounded by {@code maxBytes}: a longer document or line is
 * skipped to its end and reported as oversized, and the lines after it are still read.
 */
final class DocumentSource implements AutoCloseable
{
    /** One document, or the fact that it was too long. Reused between calls. */
    static final class Document
    {
        final GrowableBytes bytes = new GrowableBytes(4096);
        boolean oversized;
        long length;
    }

    private final InputStream in;
    private final boolean jsonLines;
    private final int maxBytes;
    private boolean done;

    DocumentSource(final Path file, final boolean jsonLines, final int maxBytes) throws IOException
    {
        // "-" is standard input, as for other Unix tools
        final boolean stdin = null == file || "-".equals(file.toString());
        this.in = new BufferedInputStream(stdin ? System.in : Files.newInputStream(file), 65536);
        this.jsonLines = jsonLines;
        this.maxBytes = maxBytes;
    }

    /** @return whether a document was read into {@code doc}. */
    boolean next(final Document doc) throws IOException
    {
        if (done)
        {
            return false;
        }
        doc.bytes.reset();
        doc.oversized = false;
        doc.length = 0;
        int c;
        while ((c = in.read()) >= 0)
        {
            if (jsonLines && '\n' == c)
            {
                stripCarriageReturn(doc);
                if (0 == doc.length)
                {
                    continue;   // a blank line holds no document (as between jq's inputs): no answer, no error
                }
                return true;
            }
            doc.length++;
            if (doc.length > maxBytes)
            {
                doc.oversized = true;   // keep reading to the end of the line, keep nothing
            }
            else
            {
                doc.bytes.put((byte)c);
            }
        }
        done = true;
        if (jsonLines)
        {
            stripCarriageReturn(doc);
            return doc.length > 0;   // no phantom document after a final newline
        }
        return true;   // the whole input is one document; even an empty one gets an answer
    }

    /** @return whether more input can be read without waiting (a pipe that has gone quiet says no). */
    boolean ready() throws IOException
    {
        return !done && in.available() > 0;
    }

    @Override
    public void close() throws IOException
    {
        if (in != null && in != System.in)
        {
            in.close();
        }
    }

    private static void stripCarriageReturn(final Document doc)
    {
        final int n = doc.bytes.length();
        if (!doc.oversized && n > 0 && '\r' == doc.bytes.array()[n - 1])
        {
            doc.bytes.truncate(n - 1);
            doc.length--;
        }
    }
}
