package io.agentflow.bus;

import io.agentflow.bus.jetstream.JetStreamBus;
import io.agentflow.bus.jetstream.JetStreamInternals;
import io.agentflow.bus.wire.Streams;
import io.agentflow.codec.EnvelopeDecoder;
import io.agentflow.codec.error.MessageError;

import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * {@code AF_MESSAGES} as its leader serves it, message by message through the message-get API (not a direct get,
 * which any replica answers, and which jnats' {@code getMessage} uses when a stream allows them), each body verified
 * as a receiver would: intact, damaged (refused by the envelope's checks), missing, or unreadable.
 */
final class LeaderRead
{
    int intact;
    int damaged;
    int missing;
    int errors;
    String firstError = "none";

    static LeaderRead of(final JetStreamBus bus, final long lastSequence) throws InterruptedException
    {
        final LeaderRead read = new LeaderRead();
        final EnvelopeDecoder decoder = new EnvelopeDecoder();
        final java.util.regex.Pattern data = java.util.regex.Pattern.compile("\"data\":\"([^\"]*)\"");
        for (long seq = 1; seq <= lastSequence; seq++)
        {
            // the message-get API, not a direct get (which jnats' getMessage uses when the stream allows them,
            // and which any replica answers)
            final io.nats.client.Message answer = JetStreamInternals.connection(bus).request(
                "$JS.API.STREAM.MSG.GET." + Streams.MESSAGES, ("{\"seq\":" + seq + "}").getBytes(
                    StandardCharsets.US_ASCII), Duration.ofSeconds(5));
            final String text = null == answer ? "no answer" : new String(answer.getData(),
                StandardCharsets.UTF_8);
            final java.util.regex.Matcher m = data.matcher(text);
            if (m.find())
            {
                try
                {
                    decoder.decode(java.util.Base64.getDecoder().decode(m.group(1)));
                    read.intact++;
                }
                catch (final MessageError refused)
                {
                    read.damaged++;
                }
            }
            else if (text.contains("10037"))   // no message found
            {
                read.missing++;
            }
            else
            {
                read.unreadable(seq, text);
            }
        }
        return read;
    }

    private void unreadable(final long seq, final String answer)
    {
        if (0 == errors++)
        {
            firstError = "sequence " + seq + ": " + answer;
        }
    }
}
