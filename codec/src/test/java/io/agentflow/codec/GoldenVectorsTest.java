package io.agentflow.codec;

import io.agentflow.codec.json.JsonReader;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The pinned wire contract (issue 22): conformance/envelope-vectors.json holds messages as a sender might write
 * them (members reversed, whitespace, escaped non-ASCII, Java's number spellings), their canonical bytes and their
 * {@code envelope_hash}; other implementations test against the same file (docs/conformance.md). Each vector is
 * decoded, re-encoded and hashed by this codec, and canonicalized and hashed by an independent RFC 8785
 * implementation: any change that alters one byte of a canonical form or a hash fails here.
 */
class GoldenVectorsTest
{
    private static final Path FILE = Path.of("..", "conformance", "envelope-vectors.json");
    private static final List<String> NAMES = List.of("minimal", "numbers", "strings", "member-order-utf16", "nesting",
        "traced-with-cost", "ts-as-a-go-sender-writes-it");

    @Test
    void theFileHoldsEveryVector() throws Exception
    {
        assertEquals(NAMES, vectors().stream().map(v -> v.get("name")).toList(), "vectors are added, never lost");
    }

    @TestFactory
    Stream<DynamicTest> eachVectorDecodesToItsCanonicalBytesAndHash() throws Exception
    {
        return vectors().stream().map(v -> DynamicTest.dynamicTest((String)v.get("name"), () ->
        {
            final byte[] input = ((String)v.get("input")).getBytes(StandardCharsets.UTF_8);
            final byte[] canonical = ((String)v.get("canonical")).getBytes(StandardCharsets.UTF_8);
            final String hash = (String)v.get("envelope_hash");

            final Message fromInput = new EnvelopeDecoder().decode(input);   // the full path: parse, re-canonicalize
            assertEquals(hash, fromInput.envelopeHash());
            assertArrayEquals(canonical, new EnvelopeEncoder().encodeToBytes(fromInput), "re-encoded input");
            assertTrue(new EnvelopeDecoder().verifyInPlace(canonical, 0, canonical.length), "the fast path");
            assertEquals(hash, new EnvelopeEncoder().hash(new EnvelopeDecoder().decode(canonical)));

            // an independent RFC 8785 implementation agrees on both
            assertArrayEquals(canonical, TestMessages.jcs((String)v.get("input")), "erdtman's canonical form");
            final Map<String, Object> withoutHash = new LinkedHashMap<>((Map<String, Object>)new JsonReader()
                .read(canonical));
            withoutHash.remove("envelope_hash");
            assertEquals(hash, TestMessages.sha256Hex(TestMessages.jcs(TestMessages.toJson(withoutHash))),
                "erdtman's hash");
        }));
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> vectors() throws Exception
    {
        final Map<String, Object> file = (Map<String, Object>)new JsonReader().read(Files.readAllBytes(FILE));
        return (List<Map<String, Object>>)file.get("vectors");
    }
}
