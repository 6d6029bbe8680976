package io.agentflow.bus;

import io.agentflow.codec.EnvelopeView;

/**
 * One delivery on the allocation-free consume path: the verified envelope (a flyweight over the stored bytes)
 * and where it came from. Each handler thread owns one instance and re-points it for every delivery: valid only
 * during {@link EnvelopeHandler#onEnvelope}.
 */
public final class EnvelopeDelivery
{
    private final EnvelopeView envelope = new EnvelopeView();
    private String subject;
    private long streamSequence;
    private long deliveryCount;
    private Positions positions;   // where the numbers are read on demand, or null: the fields hold them
    private String signedBy;

    /** A transport whose stream position and delivery count cost something to read gives them only when asked. */
    public interface Positions
    {
        long streamSequence();

        long deliveryCount();
    }

    public EnvelopeDelivery set(final String subject, final Positions positions, final byte[] canonical, final int offset,
        final int length)
    {
        this.subject = subject;
        this.positions = positions;
        this.signedBy = null;
        envelope.wrap(canonical, offset, length);
        return this;
    }

    public EnvelopeDelivery set(final String subject, final long streamSequence, final long deliveryCount,
        final byte[] canonical, final int offset, final int length)
    {
        this.subject = subject;
        this.streamSequence = streamSequence;
        this.deliveryCount = deliveryCount;
        this.positions = null;
        this.signedBy = null;
        envelope.wrap(canonical, offset, length);
        return this;
    }

    public EnvelopeView envelope()
    {
        return envelope;
    }

    public String subject()
    {
        return subject;
    }

    public long streamSequence()
    {
        return null == positions ? streamSequence : positions.streamSequence();
    }

    /** @return the key id whose signature was verified on this message ({@link Delivery#signedBy()}), or null. */
    public String signedBy()
    {
        return signedBy;
    }

    public EnvelopeDelivery signedBy(final String keyId)
    {
        this.signedBy = keyId;
        return this;
    }

    /** @return 1 on first delivery, more on redeliveries. */
    public long deliveryCount()
    {
        return null == positions ? deliveryCount : positions.deliveryCount();
    }
}
