package io.agentflow.bus;

import io.agentflow.bus.jetstream.JetStreamInternals;
import io.agentflow.bus.wire.Streams;
import io.agentflow.codec.error.ErrorCode;
import io.agentflow.codec.error.MessageError;
import io.nats.client.api.DiscardPolicy;
import io.nats.client.api.StreamConfiguration;
import io.nats.client.api.StreamInfo;
import org.junit.jupiter.api.Test;

import java.util.concurrent.CompletionException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What a publisher sees when {@code AF_MESSAGES} reaches its {@code max_bytes} (issue 22), under each discard policy,
 * on a real server: with the provisioned {@code discard: old} every publish is stored and the oldest messages make
 * room; with {@code discard: new} (an operator's choice) the publish that does not fit fails with a clear
 * {@code transport_error} naming the limit, and what was stored stays.
 */
class StreamFullTest extends ProvisionedServerTest
{
    private static final long SMALL = 64 * 1024;   // about 40 messages of ~1.5 KB

    @Test
    void discardOldStoresEveryPublishAndDropsTheOldest() throws Exception
    {
        shrink(DiscardPolicy.Old);
        final long before = JetStreamInternals.management(bus).getStreamInfo(Streams.MESSAGES).getStreamState()
            .getLastSequence();
        for (int i = 0; i < 200; i++)
        {
            assertFalse(bus.publishAndWait("agents.full-old.in", TestMessage.to("full-old", i)).duplicate());
        }
        final StreamInfo info = JetStreamInternals.management(bus).getStreamInfo(Streams.MESSAGES);
        assertEquals(before + 200, info.getStreamState().getLastSequence(), "every publish stored");
        assertTrue(info.getStreamState().getByteCount() <= SMALL, "within max_bytes");
        assertTrue(info.getStreamState().getMsgCount() < 200, "the oldest made room: "
            + info.getStreamState().getMsgCount());
    }

    @Test
    void discardNewRefusesThePublishThatDoesNotFitClearly() throws Exception
    {
        shrink(DiscardPolicy.New);
        MessageError refused = null;
        int stored = 0;
        for (int i = 0; i < 200 && null == refused; i++)
        {
            try
            {
                bus.publish("agents.full-new.in", TestMessage.to("full-new", i)).join();
                stored++;
            }
            catch (final CompletionException e)
            {
                refused = (MessageError)e.getCause();
            }
        }
        assertTrue(stored > 10 && null != refused, "some stored, then refused: " + stored);
        assertEquals(ErrorCode.TRANSPORT_ERROR, refused.code());
        assertTrue(refused.getMessage().contains("maximum bytes exceeded"), refused.getMessage());
        assertEquals(stored, JetStreamInternals.management(bus).getStreamInfo(Streams.MESSAGES).getStreamState().getMsgCount(),
            "what was stored stays");
        final MessageError again = assertThrows(CompletionException.class, () -> bus.publish("agents.full-new.in",
            TestMessage.to("full-new", 999)).join()).getCause() instanceof MessageError m ? m : null;
        assertTrue(null != again && again.getMessage().contains("maximum bytes exceeded"), String.valueOf(again));
    }

    /** An operator's change to the provisioned stream: a small {@code max_bytes} and the given discard policy. */
    private static void shrink(final DiscardPolicy discard) throws Exception
    {
        JetStreamInternals.management(bus).purgeStream(Streams.MESSAGES);
        final StreamConfiguration have = JetStreamInternals.management(bus).getStreamInfo(Streams.MESSAGES).getConfiguration();
        JetStreamInternals.management(bus).updateStream(StreamConfiguration.builder(have).maxBytes(SMALL).discardPolicy(discard)
            .build());
    }
}
