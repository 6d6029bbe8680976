package io.agentflow.codec;

import io.agentflow.codec.json.JsonReader;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A message whose {@code ts} a Go sender wrote ({@code time.Time} with nanoseconds and an offset), hashed by an
 * independent RFC 8785 implementation over that text: every receive path accepts it, reads the same instant, and
 * writes the text back as it came, so the hash still holds (issue 22; the design's {@code ts} row).
 */
class ForeignTimestampTest
{
    private static final String GO_TS = "2026-12-05T04:05:06.123456789+01:00";

    @Test
    void shouldAcceptAnyRfc3339TsAndKeepItsText()
    {
        final Map<String, Object> tree = new LinkedHashMap<>((Map<String, Object>)new JsonReader().read(
            new EnvelopeEncoder().encodeToBytes(TestMessages.realistic())));
        tree.put("ts", GO_TS);
        final byte[] wire = TestMessages.independentlyHashed(tree);
        final long utcMicros = Timestamps.parse("2026-12-05T03:05:06.123456Z", "$.ts");

        final Message m = new EnvelopeDecoder().decode(wire);
        assertEquals(utcMicros, m.tsMicros());
        assertEquals(GO_TS, m.tsText());
        assertArrayEquals(wire, new EnvelopeEncoder().encodeToBytes(m), "written back as it came");

        assertTrue(new EnvelopeDecoder().verifyInPlace(wire, 0, wire.length), "the in-place path accepts it");
        final EnvelopeView view = new EnvelopeView().wrap(wire, 0, wire.length);
        assertEquals(utcMicros, view.tsMicros());
        assertEquals(m.id(), view.id());
        assertEquals(m.envelopeHash(), view.envelopeHash());
        assertEquals(m.traceId().isEmpty(), !view.hasTrace());

        final Message changed = m.toBuilder().payload(Map.of("n", 1)).build();   // the instant keeps its spelling
        assertEquals(GO_TS, changed.tsText());
        assertEquals(changed, new EnvelopeDecoder().decode(new EnvelopeEncoder().encodeToBytes(changed)));
        assertNull(m.toBuilder().tsMicros(utcMicros).build().tsText(), "a new time is written our way");
    }
}
