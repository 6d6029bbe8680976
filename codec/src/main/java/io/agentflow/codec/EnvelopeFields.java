package io.agentflow.codec;

import io.agentflow.codec.json.GrowableBytes;
import io.agentflow.codec.json.RawCanonicalJson;

/**
 * What the encoder reads of a message: an immutable {@link Message}, or a pooled mutable event on the hot path
 * that writes its id from a reusable buffer instead of holding a String. Strings are written escaped as JSON
 * strings; the JSON members as the canonical bytes they hold.
 */
public interface EnvelopeFields
{
    double costDollars();

    long costTokens();

    String from();

    /** Writes the id as a JSON string (with its quotes). */
    void writeId(GrowableBytes out);

    RawCanonicalJson metadata();

    RawCanonicalJson payload();

    String spanId();

    String to();

    String traceId();

    long tsMicros();

    /** @return the {@code ts} text to write as it is, when it is not the form written from {@link #tsMicros()}. */
    default String tsText()
    {
        return null;
    }

    MessageType type();
}
