package io.agentflow.cli.loadgen;

import java.util.concurrent.CompletableFuture;

/**
 * What a load run sends through: our bus (either transport) or bare jnats for the baseline. Implementations carry
 * the flow, hop, intended time and sender in the message and hand them back on arrival.
 */
interface LoadTransport extends AutoCloseable
{
    /** Called for each message that arrives at an agent, on the transport's threads. */
    interface Receiver
    {
        void onArrival(int toAgent, int fromAgent, int flow, int hop, long intendedNanos);
    }

    /** @return a short name for the report: {@code nats}, {@code embedded}, {@code raw-jnats}. */
    String name();

    void start(Receiver receiver);

    /** Publishes one hop; the future completes when the broker acknowledged it. */
    CompletableFuture<?> send(int fromAgent, int toAgent, int flow, int hop, long intendedNanos);

    /** @return messages the receiving side refused (failed verification); 0 for the baseline. */
    long rejected();

    @Override
    void close();
}
