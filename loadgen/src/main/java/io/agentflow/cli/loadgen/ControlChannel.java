package io.agentflow.cli.loadgen;

import io.agentflow.bus.Subscription;
import io.agentflow.bus.SubscriptionSpec;
import io.agentflow.bus.jetstream.JetStreamBus;
import io.agentflow.bus.wire.Subjects;
import io.agentflow.codec.Json;
import io.agentflow.codec.Message;
import io.agentflow.codec.MessageType;
import io.agentflow.codec.error.MessageError;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.BiConsumer;

/**
 * The coordination of a multi-process load run, carried by the bus itself on {@code system.control}: contract
 * messages like any other (hashed, verified before they are read), of type {@code control}, with the run in the
 * metadata's {@code workflow_id} ({@code loadgen-<run>}) and what they say in {@code kind}:
 * <pre>
 *   worker -> coordinator   hello     (name, host, pid)            once subscribed, so that it cannot miss start
 *   coordinator -> workers  start     (the run's shape, each worker's rate)
 *   worker -> coordinator   interval  (second, compressed histogram) every second: the figures and the heartbeat
 *   worker -> coordinator   result    (counts, costs, histograms)
 *   coordinator -> workers  stop      (a worker was lost: the others end too)
 * </pre>
 * Each party reads through a durable consumer of its own that starts at new messages and is deleted on close.
 */
final class ControlChannel implements AutoCloseable
{
    private final JetStreamBus bus;
    private final String run;
    private final String self;
    private final String durable;
    private final Subscription subscription;

    /** @param receiver called with each message of this run that another party sent: its kind and payload. */
    ControlChannel(final JetStreamBus bus, final String run, final String self,
        final BiConsumer<String, Map<?, ?>> receiver)
    {
        this.bus = bus;
        this.run = run;
        this.self = self;
        this.durable = "loadgen-ctl-" + run + "-" + self;
        this.subscription = bus.subscribe(SubscriptionSpec.durable(durable, Subjects.SYSTEM_CONTROL)
            .startingAt(SubscriptionSpec.StartPosition.NEW), (message, delivery) ->
        {
            final Map<?, ?> meta = (Map<?, ?>)message.metadata().tree();
            if (("loadgen-" + run).equals(meta.get("workflow_id")) && !self.equals(message.from()))
            {
                receiver.accept(String.valueOf(meta.get("kind")), (Map<?, ?>)message.payload().tree());
            }
        });
    }

    /** Publishes and waits for the broker's acknowledgement, so that what is sent is stored before we go on. */
    void send(final String kind, final Map<String, Object> body)
    {
        final Map<String, Object> meta = new LinkedHashMap<>();
        meta.put("kind", kind);
        meta.put("workflow_id", "loadgen-" + run);
        bus.publish(Subjects.SYSTEM_CONTROL, Message.builder().from(self).to("loadgen").type(MessageType.CONTROL)
            .payload(Json.of(body)).metadata(Json.of(meta)).build()).join();
    }

    @Override
    public void close()
    {
        subscription.close();
        try
        {
            bus.admin().deleteDurable(durable);
        }
        catch (final MessageError ex)
        {
            System.err.println("loadgen: could not delete consumer " + durable + ": " + ex.getMessage());
        }
        bus.close();
    }
}
