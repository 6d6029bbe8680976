package io.agentflow.bus;

import io.agentflow.bus.jetstream.JetStreamBus;
import java.io.FileOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * The consumer process of {@link ConsumerCrashTest}, run in its own JVM so that the test can SIGKILL it:
 * {@code CrashingConsumer <url> <durable> <subject> <handled-file> <block-at>}. Each handled message appends
 * {@code <agent> <n> <id>} to the file (a plain write, so it survives the kill); a message numbered
 * {@code block-at} or more is handled (its line written) and then its handler never returns, so it is never
 * acknowledged: handled but unacknowledged at the kill, the case at-least-once delivery exists for.
 */
public final class CrashingConsumer
{
    private CrashingConsumer()
    {
    }

    public static void main(final String[] args) throws Exception
    {
        final int blockAt = Integer.parseInt(args[4]);
        final BusConfig config = new BusConfig().url(args[0])
            .delivery(d -> d.ackWait(Duration.ofSeconds(2)).fetchBatch(50))
            .conclude();
        try (FileOutputStream out = new FileOutputStream(args[3], true);
            JetStreamBus bus = JetStreamBus.connect(config))
        {
            bus.subscribe(SubscriptionSpec.durable(args[1], args[2]), (message, delivery) ->
            {
                final int n = ((Number)((java.util.Map<?, ?>)message.payload().tree()).get("n")).intValue();
                synchronized (out)
                {
                    out.write((message.to() + " " + n + " " + message.id() + "\n").getBytes(StandardCharsets.UTF_8));
                }
                if (n >= blockAt)
                {
                    Thread.sleep(Long.MAX_VALUE);   // handled, and the ack never goes
                }
            });
            Thread.sleep(Long.MAX_VALUE);
        }
    }
}
