package io.agentflow.bus;

import io.agentflow.codec.error.ErrorCode;
import io.agentflow.codec.error.MessageError;

import java.time.Duration;
import java.util.Locale;
import java.util.Map;

/**
 * Settings as text ({@code NAME=value} from the environment, a profile or a {@code --config} file) read into values:
 * integers, numbers, flags and durations ({@code 250ms}, {@code 2s}, {@code 1m}, {@code 1h}, ISO-8601). A blank or missing
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
        return parsed(env, name, defaultValue, Long::parseLong, "an integer");
    }

    static double doubleValue(final Map<String, String> env, final String name, final double defaultValue)
    {
        return parsed(env, name, defaultValue, Double::parseDouble, "a number");
    }

    /**
     * @return the flag {@code name}: its default when blank or missing; otherwise only the other word turns it
     * ({@code false} for a flag on by default, {@code true} for one off by default), in any case.
     */
    static boolean flag(final Map<String, String> env, final String name, final boolean defaultValue)
    {
        final String text = env.get(name);
        if (null == text || text.isBlank())
        {
            return defaultValue;
        }
        return defaultValue ? !"false".equalsIgnoreCase(text.trim()) : "true".equalsIgnoreCase(text.trim());
    }

    /** @return {@code name}'s value read by {@code parse}, or the default when blank or missing. */
    private static <T> T parsed(final Map<String, String> env, final String name, final T defaultValue,
        final java.util.function.Function<String, T> parse, final String expected)
    {
        final String text = env.get(name);
        if (null == text || text.isBlank())
        {
            return defaultValue;
        }
        try
        {
            return parse.apply(text.trim());
        }
        catch (final NumberFormatException ex)
        {
            throw new MessageError(ErrorCode.VALIDATION_ERROR, name + ": not " + expected + ": \"" + text + "\"",
                Map.of("path", name), ex);
        }
    }

    static Duration durationValue(final Map<String, String> env, final String name, final Duration def)
    {
        final String text = env.get(name);
        return null == text || text.isBlank() ? def : parseDuration(name, text);
    }
}
