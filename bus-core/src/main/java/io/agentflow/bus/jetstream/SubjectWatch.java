package io.agentflow.bus.jetstream;

import io.agentflow.bus.BusConfig;
import io.agentflow.bus.MessageErrors;
import io.agentflow.bus.security.LogText;
import io.agentflow.bus.security.Signatures;
import io.agentflow.codec.EnvelopeDecoder;
import io.agentflow.codec.Message;
import io.agentflow.codec.error.ErrorCode;
import io.agentflow.codec.error.MessageError;
import io.nats.client.Connection;
import io.nats.client.Subscription;

import java.time.Duration;
import java.util.concurrent.TimeoutException;

/**
 * A look at what crosses a subject, as {@code agentflow tail} shows it: a core NATS subscription (nothing stored,
 * nothing acknowledged, no consumer on the server), each message verified as a receiver would (the whole contract,
 * the hash, and the signature by the bus's policy). Used by one thread at a time.
 */
public final class SubjectWatch implements AutoCloseable
{
    private final Subscription subscription;
    private final EnvelopeDecoder decoder;
    private final Signatures signatures;

    /**
     * One message seen: {@code message} when it verified, else {@code refusal} (its reason is
     * {@link Signatures#reason(MessageError)}).
     */
    public record Seen(String subject, Message message, MessageError refusal)
    {
    }

    SubjectWatch(final Connection connection, final String subject, final BusConfig config)
    {
        this.decoder = new EnvelopeDecoder(config.receiveLimits());
        this.signatures = config.signatures();
        try
        {
            this.subscription = connection.subscribe(subject);
        }
        catch (final IllegalArgumentException ex)
        {
            throw MessageError.atPath(ErrorCode.VALIDATION_ERROR, "subject", "not a subject or pattern: "
                + LogText.safe(String.valueOf(subject)));
        }
        try
        {
            connection.flush(config.publishTimeout());   // subscribed on the server before the caller says ready
        }
        catch (final TimeoutException ex)
        {
            subscription.unsubscribe();
            throw MessageErrors.timeout("the server did not confirm the subscription to " + subject + " within "
                + config.publishTimeout(), ex);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            subscription.unsubscribe();
            throw JetStreamErrors.from(ex);
        }
    }

    /** @return the next message within {@code timeout}, verified or refused, or {@code null} when none came. */
    public Seen next(final Duration timeout) throws InterruptedException
    {
        final io.nats.client.Message raw = subscription.nextMessage(timeout);
        if (null == raw)
        {
            return null;
        }
        try
        {
            final Message m = decoder.decode(raw.getData());
            final MessageError unsigned = signatures.check(raw.getSubject(), m.id(), m.from(), m.envelopeHash(),
                new NatsHeaders(raw.getHeaders()));
            return null == unsigned ? new Seen(raw.getSubject(), m, null) : new Seen(raw.getSubject(), null, unsigned);
        }
        catch (final MessageError e)
        {
            return new Seen(raw.getSubject(), null, e);
        }
    }

    @Override
    public void close()
    {
        try
        {
            subscription.unsubscribe();
        }
        catch (final IllegalStateException ex)
        {
            // already gone with its connection: nothing left on the server
        }
    }
}
