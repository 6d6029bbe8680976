package io.agentflow.bus.wire;

/**
 * A message's headers as tracing and signing see them, whatever the transport carries them in: the W3C
 * {@code traceparent}/{@code tracestate} and the signature headers are read and written through these two methods,
 * so neither knows the NATS client (the JetStream edge adapts jnats' headers, {@link NatsHeaders}).
 */
public interface MessageHeaders
{
    /** @return the first value of header {@code name}, or {@code null} when it has none. */
    String get(String name);

    /** Sets header {@code name} to {@code value} alone, replacing any value it had. */
    void put(String name, String value);
}
