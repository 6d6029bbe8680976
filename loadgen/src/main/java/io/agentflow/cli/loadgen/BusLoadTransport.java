package io.agentflow.cli.loadgen;

import io.agentflow.bus.EnvelopeDelivery;
import io.agentflow.bus.MessageBus;
import io.agentflow.bus.Subscription;
import io.agentflow.bus.SubscriptionSpec;
import io.agentflow.bus.jetstream.JetStreamBus;
import io.agentflow.bus.pipeline.PublishCallback;
import io.agentflow.bus.pipeline.PublishPipeline;
import io.agentflow.bus.wire.Subjects;
import io.agentflow.codec.EnvelopeView;
import io.agentflow.codec.Json;
import io.agentflow.codec.Message;
import io.agentflow.codec.MessageType;
import io.agentflow.codec.error.MessageError;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Load through our {@link MessageBus}: real contract messages (encoded, hashed, verified on receipt like any
 * other), one durable subscription on {@code agents.*.in} starting at new messages, and the simulated agents
 * dispatched from its handler (no thread per agent). Each message carries a payload of the requested size and its
 * route (run, flow, hop, intended send time, sender) in {@code metadata}, next to its {@code workflow_id}.
 * <p>
 * Two ways through the bus ({@code --publish-path}):
 * <ul>
 *   <li>{@code pipeline} (the default): the lean path, claim, fill, commit on the publish pipeline with the route
 *   written by a pooled {@link Route} per slot, and {@code subscribe(spec, EnvelopeHandler)} reading the route in
 *   place out of the verified envelope: no map, message or future per message on our side;</li>
 *   <li>{@code message}: {@code publish(subject, Message)} with a {@code Map} for the route and a
 *   {@code MessageHandler} receiving a decoded {@link Message}: what most application code calls.</li>
 * </ul>
 * A worker of a multi-process run ({@code --workers}) gives its agents one inbox subject of its own,
 * {@code agents.<inbox>.in}, with the agent in the route ({@code to_agent}): its durable consumer then reads only its
 * own flows, where one consumer on {@code agents.*.in} per worker would read every worker's messages (a consumer
 * filters on one subject pattern on nats-server 2.9), multiplying the delivery load by the number of workers.
 */
final class BusLoadTransport implements LoadTransport
{
    private final MessageBus bus;
    private final String name;
    private final String runTag;
    private final String[] agentIds;
    private final String[] subjects;
    private final String filter;
    private final boolean shared;   // one inbox: the agent travels in the route
    private final Json payload;
    private final PublishPipeline pipeline;
    private final Route[] routeBySlot;
    private final String[] workflowIds = new String[Route.WORKFLOWS];   // the message path's, built once
    private final PublishCallback completion = this::completed;
    private Acks acks;
    private Subscription subscription;

    BusLoadTransport(final MessageBus bus, final String name, final String runTag, final int agents,
        final int payloadBytes, final boolean lean)
    {
        this(bus, name, runTag, agents, payloadBytes, lean, null);
    }

    /** @param inbox the agent id whose inbox every simulated agent shares, or null for a subject per agent. */
    BusLoadTransport(final MessageBus bus, final String name, final String runTag, final int agents,
        final int payloadBytes, final boolean lean, final String inbox)
    {
        this.bus = bus;
        this.shared = null != inbox;
        this.filter = shared ? Subjects.agentIn(inbox) : "agents.*.in";
        this.pipeline = lean ? bus.pipeline() : null;
        this.name = name;
        this.runTag = runTag;
        this.agentIds = new String[agents];
        this.subjects = new String[agents];
        for (int i = 0; i < agents; i++)
        {
            agentIds[i] = "agent-" + i;
            subjects[i] = shared ? filter : Subjects.agentIn(agentIds[i]);
        }
        // a slot is reused only after its completion, so the route its sequence indexes is free to fill again
        this.routeBySlot = lean ? new Route[pipeline.size()] : null;
        for (int i = 0; i < workflowIds.length; i++)
        {
            workflowIds[i] = Route.workflowId(runTag, i);
        }
        for (int i = 0; lean && i < routeBySlot.length; i++)
        {
            routeBySlot[i] = new Route(runTag, shared);
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
    public void start(final Receiver receiver, final Acks acks)
    {
        this.acks = acks;
        final SubscriptionSpec spec = SubscriptionSpec.durable("loadgen-" + runTag, filter)
            .startingAt(SubscriptionSpec.StartPosition.NEW);
        if (null != pipeline)
        {
            // one per handler thread (in process there may be shards): a delivery at a time on each
            final ThreadLocal<Route> routes = ThreadLocal.withInitial(() -> new Route(runTag, shared));
            subscription = bus.subscribe(spec, (EnvelopeDelivery delivery) ->
            {
                final EnvelopeView e = delivery.envelope();
                final Route route = routes.get();
                if (route.read(e.buffer(), e.metadataOffset(), e.metadataLength()))   // else another run's traffic
                {
                    receiver.onArrival(shared ? route.toAgent : agentIndex(delivery.subject()), route.fromAgent,
                        route.flow, route.hop, route.t0);
                }
            });
            return;
        }
        subscription = bus.subscribe(spec, (message, delivery) ->
        {
            final Map<?, ?> route = (Map<?, ?>)message.metadata().tree();   // small: the payload is not parsed
            if (!runTag.equals(route.get("run")))
            {
                return;   // someone else's traffic on a shared server
            }
            final int to = shared ? ((Number)route.get("to_agent")).intValue() : agentIndex(delivery.subject());
            receiver.onArrival(to, ((Number)route.get("from_agent")).intValue(),
                ((Number)route.get("flow")).intValue(), ((Number)route.get("hop")).intValue(),
                ((Number)route.get("t0")).longValue());
        });
    }

    @Override
    public void send(final int fromAgent, final int toAgent, final int flow, final int hop, final long intendedNanos,
        final long sentAtNanos)
    {
        final String from = fromAgent < 0 ? Pattern.ORCHESTRATOR : agentIds[fromAgent];
        final MessageType type = 0 == hop ? MessageType.REQUEST : MessageType.RESPONSE;
        if (null != pipeline)
        {
            final long seq = pipeline.claim();
            final Route route = routeBySlot[(int)(seq & (routeBySlot.length - 1))].set(flow, fromAgent, toAgent, hop,
                intendedNanos);
            pipeline.event(seq).subject(subjects[toAgent]).from(from).to(agentIds[toAgent]).type(type)
                .payload(payload).metadata(route).onComplete(completion, sentAtNanos);
            pipeline.commit(seq);
            return;
        }
        final Map<String, Object> route = new LinkedHashMap<>();
        route.put("workflow_id", workflowIds[flow & (Route.WORKFLOWS - 1)]);
        route.put("run", runTag);
        route.put("flow", flow);
        route.put("hop", hop);
        route.put("t0", intendedNanos);
        route.put("from_agent", fromAgent);
        if (shared)
        {
            route.put("to_agent", toAgent);
        }
        final Message m = Message.builder().from(from).to(agentIds[toAgent]).type(type).payload(payload)
            .metadata(Json.of(route)).build();
        bus.publish(subjects[toAgent], m).whenComplete((ack, failure) ->
        {
            if (null == failure)
            {
                acks.acked(sentAtNanos);
            }
            else
            {
                acks.failed(failure);
            }
        });
    }

    private void completed(final long sentAtNanos, final long streamSequence, final MessageError error)
    {
        if (null == error)
        {
            acks.acked(sentAtNanos);
        }
        else
        {
            acks.failed(error);
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
                ((JetStreamBus)bus).admin().deleteDurable("loadgen-" + runTag);   // leave no consumer behind
            }
            catch (final MessageError ex)
            {
                System.err.println("loadgen: could not delete consumer loadgen-" + runTag + ": " + ex.getMessage());
            }
        }
        bus.close();
    }

    /** @return N of {@code agents.agent-N.in}, read in place. */
    static int agentIndex(final String subject)
    {
        int n = 0;
        for (int i = "agents.agent-".length(); i < subject.length() - ".in".length(); i++)
        {
            n = n * 10 + (subject.charAt(i) - '0');
        }
        return n;
    }
}
