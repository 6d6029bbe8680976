package io.agentflow.bus;

/**
 * The bus contract in process with {@code AF_BUS_HANDLER_THREADS=1}: no shard threads, each subscription's reader
 * runs its handlers and the redeliveries that come due, so ordering, redelivery, quarantine and close run on that
 * path.
 */
class InProcessInlineBusContractTest extends InProcessBusContractTest
{
    @Override
    BusConfig config()
    {
        return super.config().delivery(d -> d.handlerThreads(1));
    }
}
