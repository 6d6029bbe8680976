package io.agentflow.cli;

import io.agentflow.bus.BusSecurity;
import io.agentflow.bus.security.LogText;
import io.agentflow.codec.error.MessageError;

/**
 * The one failure line of every command: {@code error <code> <id> <detail>}, where {@code id} is the message's id or
 * {@code -} where none applies or none could be read, and the detail is escaped onto one line with any secret in a
 * URL redacted. The tools that answer line for line (canon, hash, verify, publish) print it on stdout in the failing
 * input's place; the others (tail, replay, a refused invocation) on stderr, since their stdout is data.
 */
final class FailureLine
{
    private FailureLine()
    {
    }

    static String of(final String code, final String id, final String detail)
    {
        return "error " + code + " " + (null == id || id.isEmpty() ? "-" : LogText.escape(id)) + " "
            + LogText.escape(BusSecurity.redact(String.valueOf(detail)));
    }

    /** @return the line for {@code e}, with the id its details name (a message's), if any. */
    static String of(final MessageError e)
    {
        return of(e.code().wireName(), e.details().get("id") instanceof String id ? id : null, e.getMessage());
    }
}
