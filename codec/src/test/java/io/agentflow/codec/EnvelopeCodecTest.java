package io.agentflow.codec;

import io.agentflow.codec.error.ErrorCode;
import io.agentflow.codec.error.MessageError;
import io.agentflow.codec.json.GrowableBytes;
import io.agentflow.codec.json.JsonReader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static io.agentflow.codec.TestMessages.utf8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class EnvelopeCodecTest
{
    private final EnvelopeEncoder encoder = new EnvelopeEncoder();
    private final EnvelopeDecoder decoder = new EnvelopeDecoder();

    @Test
    void shouldHashLikeAnIndependentRfc8785Implementation()
    {
        final Message m = TestMessages.realistic();
        final byte[] wire = encoder.encodeToBytes(m);
        @SuppressWarnings("unchecked")
        final Map<String, Object> tree = (Map<String, Object>)new JsonReader().read(wire);

        assertArrayEquals(TestMessages.independentlyHashed(tree), wire, "canonical wire form, hash included");
        tree.remove("envelope_hash");
        assertEquals(TestMessages.sha256Hex(TestMessages.jcs(TestMessages.toJson(tree))), m.envelopeHash());
    }

    @Test
    void shouldDecodeWhatItEncodes()
    {
        final Message m = TestMessages.realistic();
        final Message back = decoder.decode(encoder.encodeToBytes(m));
        assertEquals(m, back);
        assertEquals("wf-7", back.workflowId());
        assertEquals(m.payload().tree(), back.payload().tree());
    }

    @Test
    void shouldVerifyAnIntactMessageThatWasReserializedOnTheWay()
    {
        final Message m = TestMessages.realistic();
        final Object tree = new JsonReader().read(encoder.encodeToBytes(m));
        final String reserialized = TestMessages.toJson(tree);   // spaces, insertion order, \\u escapes
        assertNotEquals(m.toString(), reserialized);

        final Message back = decoder.decode(utf8(reserialized));
        assertEquals(m, back);
    }

    @ParameterizedTest
    @ValueSource(strings = {"worker-42", "orchestrator-1", "wf-7", "0.875", "1234", "summarize", "REQUEST"})
    void shouldDetectTamperingAnywhere(final String target)
    {
        final String wire = TestMessages.realistic().toString();
        final String needle = "REQUEST".equals(target) ? "\"request\"" : target;
        final String replacement = "REQUEST".equals(target) ? "\"event\"" : target.replace(target.charAt(0),
            Character.isDigit(target.charAt(0)) ? (target.charAt(0) == '9' ? '8' : '9') : 'x');
        final String tampered = wire.replaceFirst(java.util.regex.Pattern.quote(needle), replacement);
        assertNotEquals(wire, tampered);

        assertFalse(decoder.verifyInPlace(utf8(tampered), 0, utf8(tampered).length), "in place");
        final MessageError e = assertThrows(MessageError.class, () -> decoder.decode(utf8(tampered)));
        assertEquals(ErrorCode.HASH_MISMATCH, e.code());
        assertEquals(TestMessages.realistic().id().length(), ((String)e.details().get("id")).length());
        assertEquals(64, ((String)e.details().get("expected")).length());
    }

    @Test
    void shouldCheckTheHashFastOverCanonicalBytes()
    {
        final byte[] wire = encoder.encodeToBytes(TestMessages.realistic());
        assertEquals(HashCheck.MATCH, decoder.checkHash(wire, 0, wire.length));

        final byte[] flipped = wire.clone();
        flipped[wire.length - 10] ^= 1;
        assertEquals(HashCheck.MISMATCH, decoder.checkHash(flipped, 0, flipped.length));

        final byte[] spaced = utf8(new String(wire, StandardCharsets.UTF_8).replaceFirst("\\{", "{ "));
        assertEquals(HashCheck.NOT_LOCATED, decoder.checkHash(spaced, 0, spaced.length));
    }

    @Test
    void shouldWriteTheSameWireFormWithoutRehashingAKnownHash()
    {
        final Message m = TestMessages.realistic();
        final Message decoded = decoder.decode(encoder.encodeToBytes(m));
        assertArrayEquals(encoder.encodeToBytes(m), encoder.wireBytes(m));
        assertArrayEquals(encoder.encodeToBytes(m), encoder.wireBytes(decoded));
    }

    @Test
    void shouldDecodeFromAnOffsetInsideALargerBuffer()
    {
        final byte[] wire = encoder.encodeToBytes(TestMessages.realistic());
        final byte[] framed = new byte[wire.length + 20];
        System.arraycopy(wire, 0, framed, 7, wire.length);
        assertEquals(TestMessages.realistic().id().length(), decoder.decode(framed, 7, wire.length).id().length());
        assertEquals(HashCheck.MATCH, decoder.checkHash(framed, 7, wire.length));
    }

    @Test
    void shouldReuseItsBufferWithoutStaleBytes()
    {
        final GrowableBytes out = new GrowableBytes(64);
        encoder.encode(TestMessages.realistic(), out);
        final Message small = Message.builder().from("a").to("b").type(MessageType.EVENT).build();
        encoder.encode(small, out);
        assertEquals(small, decoder.decode(out.array(), 0, out.length()));
    }

    @Test
    void shouldNameEachKindOfBadInputWithItsCode()
    {
        final Map<String, Object> good = tree(TestMessages.realistic());

        assertCode(ErrorCode.SERIALIZATION_ERROR, utf8("{\"id\":"));
        assertCode(ErrorCode.SERIALIZATION_ERROR, utf8("{\"a\":1,\"a\":1}"));
        assertCode(ErrorCode.SCHEMA_ERROR, utf8("[1,2]"));
        assertCode(ErrorCode.SCHEMA_ERROR, without(good, "to"));
        assertCode(ErrorCode.SCHEMA_ERROR, with(good, "extra", 1));
        assertCode(ErrorCode.SCHEMA_ERROR, with(good, "from", 5));
        assertCode(ErrorCode.SCHEMA_ERROR, with(good, "metadata", List.of()));
        assertCode(ErrorCode.SCHEMA_ERROR, with(good, "cost", Map.of("dollars", 1)));
        assertCode(ErrorCode.VALIDATION_ERROR, with(good, "id", "not-a-ulid"));
        assertCode(ErrorCode.VALIDATION_ERROR, with(good, "type", "shout"));
        assertCode(ErrorCode.VALIDATION_ERROR, with(good, "ts", "2026-11-26T20:06:50"));   // no offset
        assertCode(ErrorCode.VALIDATION_ERROR, with(good, "cost", Map.of("dollars", -1, "tokens", 0)));
        assertCode(ErrorCode.HASH_MISMATCH, utf8(TestMessages.toJson(with(tree(TestMessages.realistic()), "to",
            "somebody-else", false))));
    }

    @Test
    void shouldCarryThePathOfTheOffendingField()
    {
        final Map<String, Object> bad = tree(TestMessages.realistic());
        bad.put("cost", Map.of("dollars", 0.5, "tokens", 1.5));
        final MessageError e = assertThrows(MessageError.class,
            () -> decoder.decode(TestMessages.independentlyHashed(bad)));
        assertEquals("$.cost.tokens", e.path());
        assertEquals(bad.get("id"), e.details().get("id"));
    }

    @Test
    void shouldRefuseOversizedInputBeforeParsing()
    {
        final byte[] huge = new byte[2 * 1024 * 1024];
        java.util.Arrays.fill(huge, (byte)' ');
        huge[0] = '{';
        final MessageError e = assertThrows(MessageError.class, () -> decoder.decode(huge));
        assertEquals(ErrorCode.SERIALIZATION_ERROR, e.code());
        assertEquals(1024 * 1024, e.details().get("max_bytes"));
    }

    private void assertCode(final ErrorCode expected, final byte[] input)
    {
        final MessageError e = assertThrows(MessageError.class, () -> decoder.decode(input));
        assertEquals(expected, e.code(), e.getMessage());
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> tree(final Message m)
    {
        return (Map<String, Object>)new JsonReader().read(utf8(m.toString()));
    }

    private static byte[] without(final Map<String, Object> tree, final String member)
    {
        final Map<String, Object> copy = new LinkedHashMap<>(tree);
        copy.remove(member);
        return TestMessages.independentlyHashed(copy);
    }

    private static byte[] with(final Map<String, Object> tree, final String member, final Object value)
    {
        return TestMessages.independentlyHashed(with(tree, member, value, true));
    }

    private static Map<String, Object> with(
        final Map<String, Object> tree, final String member, final Object value, final boolean unused)
    {
        final Map<String, Object> copy = new LinkedHashMap<>(tree);
        copy.put(member, value);
        return copy;
    }
}
