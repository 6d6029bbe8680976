package io.agentflow.bus;

/**
 * Application code on the allocation-free consume path ({@link InProcessBus#subscribe(SubscriptionSpec,
 * EnvelopeHandler)}): it reads the verified envelope in place through a flyweight that is reused for the next
 * delivery as soon as this call returns, so anything kept is copied out. Returning normally acknowledges;
 * throwing asks for a redelivery, as with {@link MessageHandler}. Called on a bus handler thread, never
 * concurrently for the same ordering key.
 */
@FunctionalInterface
public interface EnvelopeHandler
{
    void onEnvelope(EnvelopeDelivery delivery) throws Exception;
}
