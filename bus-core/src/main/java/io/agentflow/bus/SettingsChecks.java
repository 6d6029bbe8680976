package io.agentflow.bus;

import io.agentflow.codec.error.ErrorCode;
import io.agentflow.codec.error.MessageError;

import java.time.Duration;

/** The checks the per-concern settings values make when they are built: one wording for a setting refused. */
final class SettingsChecks
{
    private SettingsChecks()
    {
    }

    /** @throws MessageError {@code validation_error} at {@code config}, saying {@code message}, unless it holds. */
    static void require(final boolean condition, final String message)
    {
        if (!condition)
        {
            throw MessageError.atPath(ErrorCode.VALIDATION_ERROR, "config", message);
        }
    }

    static boolean positive(final Duration d)
    {
        return null != d && !d.isNegative() && !d.isZero();
    }
}
