package io.agentflow.cli.loadgen;

/**
 * How a flow of messages moves between simulated agents. A flow starts at its scheduled (intended) time; its
 * latency runs from that time to the handling of each final hop, so stalls anywhere count.
 * <pre>
 *   request-reply  agent a --request--> agent b --reply--> agent a              2 messages, 1 final
 *   fan-out        orchestrator --event--> 10 agents                           10 messages, 10 final
 *   pipeline       stage 1 --> stage 2 --> stage 3 --> stage 4 (of a workflow)   4 messages, 1 final
 * </pre>
 */
enum Pattern
{
    REQUEST_REPLY("request-reply", 2, 1),
    FAN_OUT("fan-out", 10, 10),
    PIPELINE("pipeline", 4, 1);

    static final String ORCHESTRATOR = "orchestrator";

    private final String optionName;
    private final int messagesPerFlow;
    private final int finalsPerFlow;

    Pattern(final String optionName, final int messagesPerFlow, final int finalsPerFlow)
    {
        this.optionName = optionName;
        this.messagesPerFlow = messagesPerFlow;
        this.finalsPerFlow = finalsPerFlow;
    }

    static Pattern fromOption(final String name)
    {
        for (final Pattern p : values())
        {
            if (p.optionName.equals(name))
            {
                return p;
            }
        }
        throw new IllegalArgumentException("unknown pattern '" + name + "': use request-reply, fan-out or pipeline");
    }

    String optionName()
    {
        return optionName;
    }

    int messagesPerFlow()
    {
        return messagesPerFlow;
    }

    int finalsPerFlow()
    {
        return finalsPerFlow;
    }

    /** Receives the hops a flow sends. */
    interface Sender
    {
        void send(int fromAgent, int toAgent, int flow, int hop);
    }

    /** Sends the first hop(s) of {@code flow}. */
    void start(final int flow, final int agents, final Sender sender)
    {
        switch (this)
        {
            case REQUEST_REPLY:
                final int requester = flow % agents;
                sender.send(requester, partner(requester, agents), flow, 0);
                break;
            case FAN_OUT:
                for (int i = 0; i < messagesPerFlow; i++)
                {
                    sender.send(-1, (int)(((long)flow * messagesPerFlow + i) % agents), flow, 0);
                }
                break;
            default:
                sender.send(-1, stage(flow, 0, agents), flow, 0);
        }
    }

    /**
     * Reacts to hop {@code hop} of {@code flow} arriving at {@code atAgent}.
     *
     * @return whether it was a final hop (its latency is recorded); otherwise the next hop was sent.
     */
    boolean onArrival(final int flow, final int hop, final int atAgent, final int fromAgent, final int agents,
        final Sender sender)
    {
        switch (this)
        {
            case REQUEST_REPLY:
                if (0 == hop)
                {
                    sender.send(atAgent, fromAgent, flow, 1);
                    return false;
                }
                return true;
            case FAN_OUT:
                return true;
            default:
                if (hop + 1 < messagesPerFlow)
                {
                    sender.send(atAgent, stage(flow, hop + 1, agents), flow, hop + 1);
                    return false;
                }
                return true;
        }
    }

    private static int partner(final int agent, final int agents)
    {
        return agents < 2 ? agent : (agent + agents / 2) % agents;
    }

    private static int stage(final int flow, final int hop, final int agents)
    {
        return (int)(((long)flow + (long)hop * Math.max(1, agents / 4)) % agents);
    }
}
