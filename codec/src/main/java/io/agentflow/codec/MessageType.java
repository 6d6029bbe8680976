package io.agentflow.codec;

import io.agentflow.codec.error.ErrorCode;
import io.agentflow.codec.error.MessageError;

/**
 * The kind of a message, as carried in its {@code type} member.
 */
public enum MessageType
{
    REQUEST("request"),
    RESPONSE("response"),
    EVENT("event"),
    CONTROL("control");

    private static final MessageType[] VALUES = values();

    private final String wireName;

    MessageType(final String wireName)
    {
        this.wireName = wireName;
    }

    public String wireName()
    {
        return wireName;
    }

    /** @throws MessageError ({@code validation_error}) when {@code name} is not one of the four wire names. */
    public static MessageType fromWireName(final CharSequence name)
    {
        for (final MessageType t : VALUES)
        {
            if (t.wireName.contentEquals(name))
            {
                return t;
            }
        }
        throw MessageError.atPath(
            ErrorCode.VALIDATION_ERROR, "$.type", "expected request, response, event or control, got \"" + name + "\"");
    }
}
