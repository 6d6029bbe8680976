package io.agentflow.bus.jetstream;

import io.agentflow.bus.wire.MessageHeaders;
import io.nats.client.impl.Headers;

/**
 * jnats' headers as {@link MessageHeaders}. A receive path on one thread keeps one and {@link #wrap}s each message's
 * headers in it, so reading them allocates nothing; a missing header set reads as empty.
 */
final class NatsHeaders implements MessageHeaders
{
    private Headers headers;

    NatsHeaders()
    {
    }

    NatsHeaders(final Headers headers)
    {
        this.headers = headers;
    }

    /** @return this, reading {@code headers} (which may be {@code null}) from now on. */
    NatsHeaders wrap(final Headers headers)
    {
        this.headers = headers;
        return this;
    }

    @Override
    public String get(final String name)
    {
        return null == headers ? null : headers.getFirst(name);
    }

    @Override
    public void put(final String name, final String value)
    {
        headers.put(name, value);
    }
}
