package io.agentflow.codec;

import io.agentflow.codec.json.CanonicalJsonWriter;
import io.agentflow.codec.json.CanonicalScanner;
import io.agentflow.codec.json.GrowableBytes;
import io.agentflow.codec.json.JsonReader;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

import java.util.Arrays;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CanonicalFormPropertiesTest
{
    @Property(tries = 2000)
    void canonicalizationIsIdempotent(@ForAll("json") final Object tree)
    {
        final byte[] once = canonical(tree);
        final byte[] twice = canonical(new JsonReader().read(once));
        assertArrayEquals(once, twice);
    }

    @Property(tries = 1000)
    void canonicalFormMatchesAnIndependentImplementation(@ForAll("json") final Object tree)
    {
        final byte[] ours = canonical(wrap(tree));   // the independent implementation wants an object or array root
        assertArrayEquals(TestMessages.jcs(TestMessages.toJson(wrap(tree))), ours, () -> new String(ours,
            java.nio.charset.StandardCharsets.UTF_8));
    }

    @Property(tries = 1000)
    void theScannerAcceptsExactlyWhatTheWriterWrites(@ForAll("json") final Object tree)
    {
        final byte[] bytes = canonical(wrap(tree));
        assertTrue(new CanonicalScanner().scanObject(bytes, 0, bytes.length));
        final byte[] reserialized = TestMessages.utf8(TestMessages.toJson(wrap(tree)));
        if (!Arrays.equals(bytes, reserialized))
        {
            assertTrue(!new CanonicalScanner().scanObject(reserialized, 0, reserialized.length));
        }
    }

    @Property(tries = 1000)
    void theHashSurvivesParseAndReencode(@ForAll("json") final Object payload, @ForAll("json") final Object meta)
    {
        final Message m = Message.builder().from("a").to("b").type(MessageType.EVENT).payload(payload)
            .metadata(wrap(meta)).build();
        final byte[] wire = new EnvelopeEncoder().encodeToBytes(m);
        final EnvelopeDecoder decoder = new EnvelopeDecoder();

        final Message back = decoder.decode(wire);
        assertEquals(m.envelopeHash(), back.envelopeHash());
        assertArrayEquals(wire, new EnvelopeEncoder().encodeToBytes(back));

        final Message viaFullPath = decoder.decode(TestMessages.utf8(TestMessages.toJson(new JsonReader().read(wire))));
        assertEquals(m, viaFullPath);
    }

    /** {@link Json#member} walks over the other members without reading them: it must land on the same value. */
    @Property(tries = 2000)
    void aMemberReadInPlaceIsTheTreesMember(@ForAll("json") final Object tree, @ForAll("json") final Object other)
    {
        final Map<String, Object> root = new java.util.HashMap<>();
        if (tree instanceof Map<?, ?> m)
        {
            m.forEach((k, v) -> root.put((String)k, v));
        }
        root.put("v", tree);
        root.put("w", other);
        root.put("workflow_id", tree instanceof String s ? s : "wf");   // escapes, surrogates and all
        final Json json = Json.of(root);
        final Map<?, ?> full = (Map<?, ?>)json.tree();
        for (final Map.Entry<?, ?> e : full.entrySet())
        {
            final String name = (String)e.getKey();
            if (name.chars().noneMatch(c -> c < 0x20 || '"' == c || '\\' == c))
            {
                assertEquals(e.getValue(), json.member(name), name);
            }
        }
        assertEquals(null, json.member("absent-" + full.size()));
        assertEquals(full.get("workflow_id"), Message.builder().from("a").to("b").type(MessageType.EVENT)
            .metadata(json).build().workflowId());
    }

    @Provide
    Arbitrary<Object> json()
    {
        return tree(3);
    }

    private static Arbitrary<Object> tree(final int depth)
    {
        final Arbitrary<Object> leaf = Arbitraries.oneOf(
            strings().map(s -> (Object)s),
            Arbitraries.doubles().between(-1e300, 1e300).map(d -> (Object)d),
            Arbitraries.longs().between(-(1L << 53) + 1, (1L << 53) - 1).map(l -> (Object)l),
            Arbitraries.of(Boolean.TRUE, Boolean.FALSE).map(b -> (Object)b))
            .injectNull(0.05);
        if (0 == depth)
        {
            return leaf;
        }
        final Arbitrary<Object> child = Arbitraries.lazy(() -> tree(depth - 1));
        return Arbitraries.oneOf(
            leaf,
            child.list().ofMaxSize(4).map(l -> (Object)l),
            Arbitraries.maps(strings(), child).ofMaxSize(4).map(m -> (Object)m));
    }

    private static Arbitrary<String> strings()
    {
        final Arbitrary<String> bmp = Arbitraries.strings()
            .withCharRange('\u0000', '\ud7ff').withCharRange('\ue000', '\uffff').ofMaxLength(6);
        // JSON's own punctuation, which a scanner that skips values must not take for structure inside a string
        final Arbitrary<String> punctuation = Arbitraries.strings().withChars("\"\\{}[],:").ofMaxLength(5);
        return Arbitraries.oneOf(bmp, bmp.map(s -> s + "\ud83d\ude00"), Arbitraries.strings().alpha().ofMaxLength(4),
            punctuation);
    }

    private static Map<String, Object> wrap(final Object tree)
    {
        final Map<String, Object> map = new java.util.HashMap<>();
        map.put("v", tree);
        map.put("workflow_id", "wf");
        return map;
    }

    private static byte[] canonical(final Object tree)
    {
        final GrowableBytes out = new GrowableBytes();
        new CanonicalJsonWriter().writeValue(out, tree);
        return out.toByteArray();
    }
}
