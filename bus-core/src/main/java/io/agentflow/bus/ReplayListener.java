package io.agentflow.bus;

import io.agentflow.codec.Message;

/**
 * Receives replayed messages, in stream order, on the caller's thread.
 */
@FunctionalInterface
public interface ReplayListener
{
    void onMessage(Message message, Delivery origin);
}
