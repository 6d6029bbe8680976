package io.agentflow.bus;

import io.agentflow.codec.Message;

/**
 * Application code that handles one verified message. Returning normally acknowledges it; throwing asks for a
 * redelivery after a back-off delay, until the consumer's maximum deliveries, after which the message goes to the
 * quarantine. Called on a bus handler thread, never concurrently for the same ordering key.
 */
@FunctionalInterface
public interface MessageHandler
{
    void onMessage(Message message, Delivery delivery) throws Exception;
}
