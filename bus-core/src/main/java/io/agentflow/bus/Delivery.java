package io.agentflow.bus;

/**
 * Where a delivered message came from.
 *
 * @param subject        the subject it was published to.
 * @param streamSequence its position in the stream.
 * @param deliveryCount  1 on first delivery, more on redeliveries.
 * @param signedBy       the key id whose signature the receiver verified (the signature policy checks this subject
 *                       and the message was signed), else {@code null}; its {@link KeyGrant} allowed the sender.
 */
public record Delivery(String subject, long streamSequence, long deliveryCount, String signedBy)
{
    /** A delivery with no verified signature. */
    public Delivery(final String subject, final long streamSequence, final long deliveryCount)
    {
        this(subject, streamSequence, deliveryCount, null);
    }
}
