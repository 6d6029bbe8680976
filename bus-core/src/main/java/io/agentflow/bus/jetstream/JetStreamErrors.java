package io.agentflow.bus.jetstream;

import io.agentflow.bus.MessageErrors;
import io.agentflow.codec.error.ErrorCode;
import io.agentflow.codec.error.MessageError;
import io.nats.client.JetStreamApiException;

import java.util.Map;

/** {@link MessageErrors#from(Throwable)} for the JetStream edge: a JetStream API refusal keeps its codes. */
final class JetStreamErrors
{
    private JetStreamErrors()
    {
    }

    static MessageError from(final Throwable t)
    {
        final Throwable cause = MessageErrors.unwrap(t);
        if (cause instanceof JetStreamApiException api)
        {
            return new MessageError(ErrorCode.TRANSPORT_ERROR, "JetStream refused: " + api.getMessage(),
                Map.of("api_error_code", api.getApiErrorCode(), "status", api.getErrorCode()), cause);
        }
        return MessageErrors.from(t);
    }
}
