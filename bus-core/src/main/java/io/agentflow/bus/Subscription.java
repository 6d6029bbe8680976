package io.agentflow.bus;

/**
 * A running subscription. Closing stops fetching, lets handlers in progress finish and acknowledges what they
 * handled; the durable consumer stays on the server, so the next subscriber with the same name resumes.
 */
public interface Subscription extends AutoCloseable
{
    SubscriptionSpec spec();

    /** @return counts since the subscription started. */
    SubscriptionStats stats();

    @Override
    void close();
}
