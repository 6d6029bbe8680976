package io.agentflow.codec;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class EnvelopeViewTest
{
    /** Every member the view locates agrees with the decoded message, over payloads built to trip a skipper. */
    @Test
    void locatesEveryMemberOfCanonicalEnvelopes()
    {
        final Random random = new Random();
        final long seed = random.nextLong();
        random.setSeed(seed);
        final EnvelopeEncoder encoder = new EnvelopeEncoder();
        final EnvelopeView view = new EnvelopeView();
        final EnvelopeDecoder decoder = new EnvelopeDecoder();
        final List<Message> messages = new ArrayList<>();
        messages.add(TestMessages.realistic());
        for (int n = 0; n < 2_000; n++)
        {
            final boolean traced = random.nextBoolean();
            messages.add(Message.builder().from(text(random)).to(text(random))
                .type(MessageType.values()[random.nextInt(4)])
                .traceId(traced ? TestMessages.TRACE_ID : "")
                .spanId(traced ? TestMessages.SPAN_ID : "")
                .payload(value(random, 0)).metadata(metadata(random))
                .build());
        }
        for (final Message m : messages)
        {
            final byte[] wire = encoder.wireBytes(m);
            // placed at an offset inside a larger array, as a view over a buffer would be
            final byte[] buffer = new byte[wire.length + 13];
            System.arraycopy(wire, 0, buffer, 5, wire.length);
            view.wrap(buffer, 5, wire.length);
            final String context = "seed " + seed + ": " + new String(wire, StandardCharsets.UTF_8);
            assertEquals(m.id(), view.id(), context);
            assertEquals(m.type(), view.type(), context);
            assertEquals(m.tsMicros(), view.tsMicros(), context);
            assertEquals(!m.traceId().isEmpty(), view.hasTrace(), context);
            assertEquals(m.payload().toString(), slice(buffer, view.payloadOffset(), view.payloadLength()), context);
            assertEquals(m.metadata().toString(), slice(buffer, view.metadataOffset(), view.metadataLength()), context);
            assertEquals(Json.of(m.from()).toString(), "\"" + slice(buffer, view.fromOffset(), view.fromLength())
                + "\"", context);
            assertEquals(m, view.toMessage(), context);
            assertTrue(decoder.verifyInPlace(buffer, 5, wire.length), context);
        }
    }

    private static Map<String, Object> metadata(final Random random)
    {
        final Map<String, Object> metadata = new LinkedHashMap<>();
        metadata.put("workflow_id", text(random));
        metadata.put("k", value(random, 1));
        return metadata;
    }

    private static String slice(final byte[] b, final int offset, final int length)
    {
        return new String(b, offset, length, StandardCharsets.UTF_8);
    }

    private static String text(final Random random)
    {
        final String[] pieces = {"a", "\"", "\\", "{", "}", "[", "]", ",", ":", "é", "😀", "\n", "\u0001", "x y",
            "[{\"q\":1}]", "abcdefgh"};
        final StringBuilder sb = new StringBuilder("t");
        for (int i = random.nextInt(12); i > 0; i--)
        {
            sb.append(pieces[random.nextInt(pieces.length)]);
        }
        return sb.toString();
    }

    private static Object value(final Random random, final int depth)
    {
        switch (depth > 4 ? random.nextInt(3) : random.nextInt(6))
        {
            case 0:
                return text(random);
            case 1:
                return random.nextInt(1000) - 500;
            case 2:
                return random.nextBoolean() ? null : Boolean.TRUE;
            case 3:
            {
                final List<Object> list = new ArrayList<>();
                for (int i = random.nextInt(5); i > 0; i--)
                {
                    list.add(value(random, depth + 1));
                }
                return list;
            }
            default:
            {
                final Map<String, Object> map = new LinkedHashMap<>();
                for (int i = random.nextInt(5); i > 0; i--)
                {
                    map.put(text(random), value(random, depth + 1));
                }
                return map;
            }
        }
    }
}
