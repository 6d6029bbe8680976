package io.agentflow.bus;

/**
 * The bus contract over JetStream with {@code AF_BUS_HANDLER_THREADS=1}: no shard threads, jnats' dispatcher runs
 * every handler, so ordering, redelivery, quarantine and close run on that path.
 */
class JetStreamInlineBusContractTest extends JetStreamBusContractTest
{
    @Override
    BusConfig config()
    {
        return super.config().delivery(d -> d.handlerThreads(1));
    }
}
