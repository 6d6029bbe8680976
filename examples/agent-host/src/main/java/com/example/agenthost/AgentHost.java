package com.example.agenthost;

import io.agentflow.bus.BusConfig;
import io.agentflow.bus.MessageBus;
import io.agentflow.bus.ReplayReport;
import io.agentflow.bus.Subscription;
import io.agentflow.bus.SubscriptionSpec;
import io.agentflow.bus.connect.MessageBuses;
import io.agentflow.bus.wire.Subjects;
import io.agentflow.codec.Message;
import io.agentflow.codec.MessageType;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A host for two agents, a planner and a worker, wired by the bus. The bus comes from the environment
 * ({@code AF_BUS_URL}: a NATS server list, or {@code embedded:} for the in-process transport); every message is
 * verified before a handler sees it, and a workflow's history can be replayed.
 */
public final class AgentHost implements AutoCloseable
{
    private final MessageBus bus;
    private final Subscription worker;
    private final List<String> done = new ArrayList<>();

    public AgentHost(final BusConfig config)
    {
        this.bus = MessageBuses.connect(config);
        // the worker answers each request on the planner's subject, in the same workflow
        this.worker = bus.subscribe(SubscriptionSpec.durable("worker", Subjects.agentIn("worker")), (request, delivery) ->
            bus.publishAndWait(Subjects.agentIn("planner"), Message.builder().from("worker").to("planner")
                .type(MessageType.RESPONSE).metadata(request.metadata().tree())
                .payload(Map.of("answer", "done: " + request.payload().tree())).build()));
        bus.subscribe(SubscriptionSpec.durable("planner", Subjects.agentIn("planner")), (response, delivery) ->
        {
            synchronized (done)
            {
                done.add(response.id());
            }
        });
    }

    /** The planner asks the worker for {@code task} as part of {@code workflowId}. */
    public void ask(final String workflowId, final String task)
    {
        bus.publishAndWait(Subjects.agentIn("worker"), Message.builder().from("planner").to("worker")
            .type(MessageType.REQUEST).metadata(Map.of("workflow_id", workflowId)).payload(Map.of("task", task))
            .build());
    }

    /** @return how many answers the planner has received. */
    public int answers()
    {
        synchronized (done)
        {
            return done.size();
        }
    }

    /** @return the workflow's messages, verified and in order, with what replay found. */
    public ReplayReport history(final String workflowId, final List<Message> into)
    {
        return bus.replay(workflowId, Instant.EPOCH, (message, origin) -> into.add(message));
    }

    @Override
    public void close()
    {
        worker.close();
        bus.close();
    }
}
