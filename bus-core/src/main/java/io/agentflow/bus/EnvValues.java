package io.agentflow.bus;

import io.agentflow.codec.error.ErrorCode;
import io.agentflow.codec.error.MessageError;

import java.time.Duration;
import java.util.Locale;
import java.util.Map;

/**
 * Settings as text ({@code NAME=value} from the environment, a profile or a {@code --config} file) read into values:
 * integers, numbers and durations ({@code 250ms}, {@code 2s}, {@code 1m}, {@code 1h}, ISO-8601). A blank or missing
 * value is the default; a malformed one is a {@code validation_error} naming the setting.
 */
public final class EnvValues
{
    private EnvValues()
    {
    }

    /** Parses {@code 250ms}, {@code 2s}, {@code 1m}, {@code 1h} or ISO-8601; errors name {@code name}. */
    public static Duration parseDuration(final String name, final String text)
    {
        final String s = text.trim().toLowerCase(Locale.ROOT);
        try
        {
            if (s.startsWith("pt"))
            {
                return Duration.parse(s.toUpperCase(Locale.ROOT));
            }
            if (s.endsWith("ms"))
            {
                return Duration.ofMillis(Long.parseLong(s.substring(0, s.length() - 2)));
            }
            final long n = Long.parseLong(s.substring(0, s.length() - 1));
            switch (s.charAt(s.length() - 1))
            {
                case 's': return Duration.ofSeconds(n);
                case 'm': return Duration.ofMinutes(n);
                case 'h': return Duration.ofHours(n);
                default: break;
            }
        }
        catch (final RuntimeException ex)
        {
            throw notADuration(name, text, ex);
        }
        throw notADuration(name, text, null);
    }

    private static MessageError notADuration(final String name, final String text, final Throwable cause)
    {
        return new MessageError(ErrorCode.VALIDATION_ERROR, name + ": not a duration: \"" + text
            + "\" (use 250ms, 2s, 1m, 1h or PT2S)", Map.of("path", name), cause);
    }

    static int intValue(final Map<String, String> env, final String name, final int defaultValue)
    {
        return Math.toIntExact(longValue(env, name, defaultValue));
    }

    static long longValue(final Map<String, String> env, final String name, final long defaultValue)
    {
        final String text = env.get(name);
        if (null == text || text.isBlank())
        {
            return defaultValue;
        }
        try
        {
            return Long.parseLong(text.trim());
        }
        catch (final NumberFormatException ex)
        {
            throw new MessageError(ErrorCode.VALIDATION_ERROR, name + ": not an integer: \"" + text + "\"",
                Map.of("path", name), ex);
        }
    }

    static double doubleValue(final Map<String, String> env, final String name, final double defaultValue)
    {
        final String text = env.get(name);
        if (null == text || text.isBlank())
        {
            return defaultValue;
        }
        try
        {
            return Double.parseDouble(text.trim());
        }
        catch (final NumberFormatException ex)
        {
            throw new MessageError(ErrorCode.VALIDATION_ERROR, name + ": not a number: \"" + text + "\"",
                Map.of("path", name), ex);
        }
    }

    static Duration durationValue(final Map<String, String> env, final String name, final Duration def)
    {
        final String text = env.get(name);
        return null == text || text.isBlank() ? def : parseDuration(name, text);
    }
}
