package io.agentflow.bus;

import io.agentflow.codec.error.ErrorCode;
import io.agentflow.codec.error.MessageError;

import java.io.IOException;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;

/**
 * Turns what a transport's client and the JDK throw into {@link MessageError}s with the right code, keeping the
 * cause: time-outs, interruption, I/O. A JetStream API refusal keeps its codes through the JetStream edge's own
 * {@code JetStreamErrors}, which falls back on this. The one exception text still read is a client's "timeout" or
 * "timed out" for a failure whose type does not say so (issue 19 would rather have types).
 */
public final class MessageErrors
{
    private MessageErrors()
    {
    }

    public static MessageError from(final Throwable t)
    {
        final Throwable cause = unwrap(t);
        if (cause instanceof MessageError)
        {
            return (MessageError)cause;
        }
        if (cause instanceof TimeoutException || cause instanceof CancellationException)
        {
            return timeout(String.valueOf(cause.getMessage()), cause);
        }
        if (cause instanceof InterruptedException)
        {
            return new MessageError(ErrorCode.TRANSPORT_ERROR, "interrupted while waiting for the broker", Map.of(),
                cause);
        }
        final String text = String.valueOf(cause.getMessage());
        if (text.toLowerCase(java.util.Locale.ROOT).contains("timeout")
            || text.toLowerCase(java.util.Locale.ROOT).contains("timed out"))
        {
            return timeout(text, cause);
        }
        if (cause instanceof IOException || cause instanceof IllegalStateException)
        {
            return transport(cause.getClass().getSimpleName() + ": " + text, cause);
        }
        return transport("unexpected failure: " + cause, cause);
    }

    /** @return what a future's wrapping ({@code CompletionException}, {@code ExecutionException}) carries. */
    public static Throwable unwrap(final Throwable t)
    {
        Throwable cause = t;
        while ((cause instanceof CompletionException || cause instanceof ExecutionException) && null != cause.getCause())
        {
            cause = cause.getCause();
        }
        return cause;
    }

    public static MessageError transport(final String message, final Throwable cause)
    {
        return new MessageError(ErrorCode.TRANSPORT_ERROR, message, Map.of(), cause);
    }

    public static MessageError timeout(final String message, final Throwable cause)
    {
        return new MessageError(ErrorCode.TIMEOUT_ERROR, message, Map.of(), cause);
    }
}
