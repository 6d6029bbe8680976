package io.agentflow.bus;

/**
 * {@link EnvelopeSubscriptionTest} with {@code AF_BUS_HANDLER_THREADS=1}: no shard threads, the reader runs the
 * handler.
 */
class EnvelopeSubscriptionInlineTest extends EnvelopeSubscriptionTest
{
    @Override
    int handlerThreads()
    {
        return 1;
    }
}
