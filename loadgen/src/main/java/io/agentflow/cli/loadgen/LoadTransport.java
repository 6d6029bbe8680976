package io.agentflow.cli.loadgen;

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

    /** Told each publish's outcome, on the transport's threads: no future or lambda per message. */
    interface Acks
    {
        void acked(long sentAtNanos);

        void failed(Throwable failure);
    }

    /** @return a short name for the report: {@code nats}, {@code embedded}, {@code raw-jnats}. */
    String name();

    void start(Receiver receiver, Acks acks);

    /**
     * Publishes one hop; {@link Acks} hears when the broker acknowledged it.
     *
     * @throws RuntimeException when the publish is refused at once.
     */
    void send(int fromAgent, int toAgent, int flow, int hop, long intendedNanos, long sentAtNanos);

    /** @return messages the receiving side refused (failed verification); 0 for the baseline. */
    long rejected();

    @Override
    void close();
}
