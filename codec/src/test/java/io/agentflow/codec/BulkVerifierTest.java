package io.agentflow.codec;

import io.agentflow.codec.error.MessageError;
import io.agentflow.codec.json.JsonLimits;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

@Timeout(60)
class BulkVerifierTest
{
    /** Every envelope gets the answer a single decoder gives it, in input order, whatever thread verified it. */
    @Test
    void shouldAnswerEachEnvelopeAsOneDecoderWouldInOrder()
    {
        final List<byte[]> batch = new ArrayList<>();
        final EnvelopeEncoder encoder = new EnvelopeEncoder();
        for (int i = 0; i < 10_000; i++)
        {
            final Message m = TestMessages.realistic().toBuilder().id(null).payload(Map.of("n", i)).build();
            final String wire = encoder.encodeToString(m);
            batch.add((switch (i % 5)
            {
                case 1 -> wire.replace("\"n\":" + i, "\"n\":" + (i + 1));   // tampered: hash mismatch
                case 2 -> "not json " + i;
                case 3 -> wire.replace("{\"cost\"", "{ \"cost\"");             // intact, not canonical
                default -> wire;
            }).getBytes(StandardCharsets.UTF_8));
        }
        final EnvelopeDecoder single = new EnvelopeDecoder();
        try (BulkVerifier bulk = new BulkVerifier(4, JsonLimits.DEFAULT))
        {
            final BulkVerifier.Outcome[] outcomes = bulk.verify(batch);
            assertEquals(batch.size(), outcomes.length);
            for (int i = 0; i < batch.size(); i++)
            {
                try
                {
                    final Message m = single.decode(batch.get(i));
                    assertNull(outcomes[i].error(), "#" + i);
                    assertEquals(m.id(), outcomes[i].id(), "#" + i);
                }
                catch (final MessageError expected)
                {
                    assertEquals(expected.code(), outcomes[i].error().code(), "#" + i);
                    assertEquals(expected.getMessage(), outcomes[i].error().getMessage(), "#" + i);
                }
            }
        }
    }

    @Test
    void shouldVerifyAnEmptyOrTinyBatchOnTheCallersThread()
    {
        try (BulkVerifier bulk = BulkVerifier.onEveryCore(JsonLimits.DEFAULT))
        {
            assertEquals(0, bulk.verify(List.of()).length);
            final Message m = TestMessages.realistic();
            assertEquals(m.id(), bulk.verify(List.of(new EnvelopeEncoder().encodeToBytes(m)))[0].id());
        }
    }
}
