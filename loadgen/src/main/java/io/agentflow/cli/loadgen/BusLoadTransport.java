package io.agentflow.cli.loadgen;

import io.agentflow.bus.JetStreamBus;
import io.agentflow.bus.MessageBus;
import io.agentflow.bus.Subjects;
import io.agentflow.bus.Subscription;
import io.agentflow.bus.SubscriptionSpec;
import io.agentflow.bus.pipeline.PublishCallback;
import io.agentflow.bus.pipeline.PublishPipeline;
import io.agentflow.codec.Json;
import io.agentflow.codec.Message;
import io.agentflow.codec.MessageError;
import io.agentflow.codec.MessageType;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * Load through our {@link MessageBus}: real contract messages (encoded, hashed, verified on receipt like any
 * other), one durable subscription on {@code agents.*.in} starting at new messages, and the simulated agents
 * dispatched from its handler (no thread per agent). Each message carries a payload of the requested size and its
 * route (run, flow, hop, intended send time, sender) in {@code metadata}, next to its {@code workflow_id}.
 * <p>
 * Publishing goes through {@code publish(subject, Message)} (retry, breaker, tracing spans) or, with
 * {@code --publish-path pipeline}, through the bus's publish pipeline (claim, fill, commit).
 */
final class BusLoadTransport implements LoadTransport
{
    private final MessageBus bus;
    private final String name;
    private final String runTag;
    private final String[] agentIds;
    private final Json payload;
    private final PublishPipeline pipeline;
    private final CompletableFuture<?>[] pendingBySlot;
    private final PublishCallback completion = this::completed;
    private Subscription subscription;

    BusLoadTransport(final MessageBus bus, final String name, final String runTag, final int agents,
        final int payloadBytes, final boolean usePipeline)
    {
        this.bus = bus;
        this.pipeline = usePipeline ? bus.pipeline() : null;
        // a slot is reused only after its completion, so its sequence indexes the caller's future safely
        this.pendingBySlot = usePipeline ? new CompletableFuture<?>[pipeline.size()] : null;
        this.name = name;
        this.runTag = runTag;
        this.agentIds = new String[agents];
        for (int i = 0; i < agents; i++)
        {
            agentIds[i] = "agent-" + i;
        }
        // the body agents exchange: payloadBytes of canonical JSON ({"body":"xxx..."}), built once; routing
        // (flow, hop, intended time) travels in the small metadata so receivers need not parse the body
        this.payload = Json.of(Map.of("body", "x".repeat(Math.max(0, payloadBytes - 11))));
    }

    @Override
    public String name()
    {
        return name;
    }

    @Override
    public void start(final Receiver receiver)
    {
        subscription = bus.subscribe(SubscriptionSpec.durable("loadgen-" + runTag, "agents.*.in")
            .startingAt(SubscriptionSpec.StartPosition.NEW), (message, delivery) ->
        {
            final Map<?, ?> route = (Map<?, ?>)message.metadata().tree();   // small: the payload is not parsed
            if (!runTag.equals(route.get("run")))
            {
                return;   // someone else's traffic on a shared server
            }
            receiver.onArrival(agentIndex(message.to()), ((Number)route.get("from_agent")).intValue(),
                ((Number)route.get("flow")).intValue(), ((Number)route.get("hop")).intValue(),
                ((Number)route.get("t0")).longValue());
        });
    }

    @Override
    public CompletableFuture<?> send(final int fromAgent, final int toAgent, final int flow, final int hop,
        final long intendedNanos)
    {
        final Map<String, Object> route = new LinkedHashMap<>();
        route.put("workflow_id", "wf-" + runTag + "-" + (flow & 63));
        route.put("run", runTag);
        route.put("flow", flow);
        route.put("hop", hop);
        route.put("t0", intendedNanos);
        route.put("from_agent", fromAgent);
        final String from = fromAgent < 0 ? Pattern.ORCHESTRATOR : agentIds[fromAgent];
        final MessageType type = 0 == hop ? MessageType.REQUEST : MessageType.RESPONSE;
        if (null != pipeline)
        {
            final CompletableFuture<Void> done = new CompletableFuture<>();
            final long seq = pipeline.claim();
            pendingBySlot[(int)(seq & (pendingBySlot.length - 1))] = done;
            pipeline.event(seq).subject(Subjects.agentIn(agentIds[toAgent])).from(from).to(agentIds[toAgent])
                .type(type).payload(payload).metadata(Json.of(route)).onComplete(completion, seq);
            pipeline.commit(seq);
            return done;
        }
        final Message m = Message.builder().from(from).to(agentIds[toAgent]).type(type).payload(payload)
            .metadata(Json.of(route)).build();
        return bus.publish(Subjects.agentIn(agentIds[toAgent]), m);
    }

    @SuppressWarnings("unchecked")
    private void completed(final long seq, final long streamSequence, final MessageError error)
    {
        final int slot = (int)(seq & (pendingBySlot.length - 1));
        final CompletableFuture<Void> done = (CompletableFuture<Void>)pendingBySlot[slot];
        pendingBySlot[slot] = null;
        if (null == error)
        {
            done.complete(null);
        }
        else
        {
            done.completeExceptionally(error);
        }
    }

    @Override
    public long rejected()
    {
        return null == subscription ? 0 : subscription.stats().quarantined();
    }

    @Override
    public void close()
    {
        if (null != subscription)
        {
            subscription.close();
        }
        if (bus instanceof JetStreamBus)
        {
            try
            {
                ((JetStreamBus)bus).connection().jetStreamManagement().deleteConsumer("AF_MESSAGES",
                    "loadgen-" + runTag);   // a load run leaves no consumer behind on the server
            }
            catch (final Exception ex)
            {
                System.err.println("loadgen: could not delete consumer loadgen-" + runTag + ": " + ex.getMessage());
            }
        }
        bus.close();
    }

    private static int agentIndex(final String agentId)
    {
        return Integer.parseInt(agentId.substring(6));   // "agent-" + i
    }
}
