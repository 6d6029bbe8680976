package io.agentflow.bus;

/**
 * Where a delivered message came from.
 *
 * @param subject        the subject it was published to.
 * @param streamSequence its position in the stream.
 * @param deliveryCount  1 on first delivery, more on redeliveries.
 */
public record Delivery(String subject, long streamSequence, long deliveryCount)
{
}
