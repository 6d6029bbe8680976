package io.agentflow.codec;

import io.agentflow.codec.error.ErrorCode;
import io.agentflow.codec.error.MessageError;
import io.agentflow.codec.json.JsonReader;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Collections;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 17, finding 8: the receive limit bounded the bytes received, not what decoding them makes. Each case is
 * input within the 1 MiB limit that decoded into much more before the bounds.
 */
class AmplificationTest
{
    /**
     * {@code 1e20} is 4 bytes; its canonical form, {@code 100000000000000000000}, is 21. A sender may send the short
     * spelling with the hash of the canonical form, and the full path used to accept it, re-encoding to several
     * times the limit. 60,000 of them: 300 KB received, 1.3 MB canonical.
     */
    @Test
    void shouldRefuseBytesWhoseCanonicalFormOutgrowsTheLimit()
    {
        final Message m = TestMessages.realistic().toBuilder()
            .payload(Json.of(Collections.nCopies(60_000, 1e20)))
            .build();
        final String canonical = new EnvelopeEncoder().encodeToString(m);
        assertTrue(canonical.length() > 1024 * 1024, "canonical " + canonical.length());
        final byte[] shortSpelling = canonical.replace("100000000000000000000", "1e20")
            .getBytes(StandardCharsets.UTF_8);
        assertTrue(shortSpelling.length < 400_000, "received " + shortSpelling.length);

        final MessageError e = assertThrows(MessageError.class, () -> new EnvelopeDecoder().decode(shortSpelling));
        assertEquals(ErrorCode.SERIALIZATION_ERROR, e.code());
        assertTrue(e.getMessage().startsWith("canonical form too large"), e.getMessage());

        // the same spelling of a few numbers is still accepted: re-serialized but intact
        final Message small = TestMessages.realistic().toBuilder().payload(Json.of(Collections.nCopies(3, 1e20)))
            .build();
        final byte[] smallShort = new EnvelopeEncoder().encodeToString(small)
            .replace("100000000000000000000", "1e20").getBytes(StandardCharsets.UTF_8);
        assertEquals(small, new EnvelopeDecoder().decode(smallShort));
    }

    /** Half a million {@code 0,} in 1 MiB would become ~20 MB of boxed numbers and list slots. */
    @Test
    void shouldRefuseMoreValuesThanTheLimitWhileReading()
    {
        final StringBuilder zeros = new StringBuilder("[0");
        for (int i = 1; i < 500_000; i++)
        {
            zeros.append(",0");
        }
        final byte[] input = zeros.append(']').toString().getBytes(StandardCharsets.US_ASCII);
        assertTrue(input.length < 1024 * 1024);
        final MessageError e = assertThrows(MessageError.class, () -> new JsonReader().read(input));
        assertEquals(ErrorCode.SERIALIZATION_ERROR, e.code());
        assertEquals(131_072, e.details().get("max_values"));
        assertTrue(e.getMessage().startsWith("too many values"), e.getMessage());
        assertEquals(131_071, ((java.util.List<?>)new JsonReader().read(
            zeros.substring(0, 2 * 131_071).concat("]").getBytes(StandardCharsets.US_ASCII))).size(),
            "the list and its 131,071 elements are 131,072 values: at the limit, accepted");
    }

    /** A duplicate member name was echoed whole: a 400 KB name made a 400 KB error text and log line. */
    @Test
    void shouldCutHostileTextInErrors()
    {
        final String name = "k".repeat(400_000);
        final byte[] input = ("{\"" + name + "\":1,\"" + name + "\":2}").getBytes(StandardCharsets.US_ASCII);
        final MessageError e = assertThrows(MessageError.class, () -> new JsonReader().read(input));
        assertTrue(e.getMessage().startsWith("duplicate member name"), e.getMessage().substring(0, 40));
        assertTrue(e.getMessage().length() <= MessageError.MAX_TEXT + 32, "length " + e.getMessage().length());
        assertTrue(e.getMessage().endsWith(" chars)"), "says it was cut");
        assertTrue(((String)e.details().get("name")).length() <= MessageError.MAX_DETAIL + 32);
    }
}
