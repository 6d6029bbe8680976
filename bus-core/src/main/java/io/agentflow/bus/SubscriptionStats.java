package io.agentflow.bus;

/**
 * Counts of one subscription since it started.
 *
 * @param delivered   messages handed to the handler and acknowledged.
 * @param redelivered messages whose handler threw and which were asked to come again.
 * @param quarantined messages that failed verification or exhausted their deliveries.
 * @param duplicates  deliveries of a message already handled (same id, within the de-duplication window),
 *                    acknowledged without calling the handler.
 */
public record SubscriptionStats(long delivered, long redelivered, long quarantined, long duplicates)
{
}
