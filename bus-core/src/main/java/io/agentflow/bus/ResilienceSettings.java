package io.agentflow.bus;

import java.time.Duration;

import static io.agentflow.bus.SettingsChecks.positive;
import static io.agentflow.bus.SettingsChecks.require;

/**
 * How the bus rides out trouble, from {@code AF_BUS_*} variables: the publish retry policy (attempts in all,
 * 1 = no retry; exponential back-off with jitter) and circuit breaker (opens when {@code breakerFailureRatePercent}
 * of the last {@code breakerWindow} publishes failed, tries again after {@code breakerOpenWait}); and, when
 * {@code handlerBreaker}, a breaker with the same thresholds around each subscription's handler, which pauses the
 * subscription while open (docs/bus.md). Checked when made.
 */
public record ResilienceSettings(int retryMaxAttempts, Duration retryInitialDelay, Duration retryMaxDelay,
    double retryMultiplier, double retryJitter, int breakerFailureRatePercent, int breakerWindow,
    Duration breakerOpenWait, boolean handlerBreaker)
{
    public static final String RETRY_MAX_ATTEMPTS_ENV = "AF_BUS_RETRY_MAX_ATTEMPTS";
    public static final String RETRY_INITIAL_DELAY_ENV = "AF_BUS_RETRY_INITIAL_DELAY";
    public static final String RETRY_MAX_DELAY_ENV = "AF_BUS_RETRY_MAX_DELAY";
    public static final String RETRY_MULTIPLIER_ENV = "AF_BUS_RETRY_MULTIPLIER";
    public static final String RETRY_JITTER_ENV = "AF_BUS_RETRY_JITTER";
    public static final String BREAKER_FAILURE_RATE_ENV = "AF_BUS_BREAKER_FAILURE_RATE";
    public static final String BREAKER_WINDOW_ENV = "AF_BUS_BREAKER_WINDOW";
    public static final String BREAKER_OPEN_WAIT_ENV = "AF_BUS_BREAKER_OPEN_WAIT";
    public static final String HANDLER_BREAKER_ENV = "AF_BUS_HANDLER_BREAKER";

    /** 3 attempts from 100 ms doubling to 2 s with 20% jitter; open at 50% of 20 failed, for 5 s; no handler breaker. */
    public static final ResilienceSettings DEFAULT = new ResilienceSettings(3, Duration.ofMillis(100),
        Duration.ofSeconds(2), 2.0, 0.2, 50, 20, Duration.ofSeconds(5), false);

    /** @return the defaults overridden by {@code env}. */
    public static ResilienceSettings fromEnv(final java.util.Map<String, String> env)
    {
        final ResilienceSettings r = DEFAULT;
        return new ResilienceSettings(
            EnvValues.intValue(env, RETRY_MAX_ATTEMPTS_ENV, r.retryMaxAttempts()),
            EnvValues.durationValue(env, RETRY_INITIAL_DELAY_ENV, r.retryInitialDelay()),
            EnvValues.durationValue(env, RETRY_MAX_DELAY_ENV, r.retryMaxDelay()),
            EnvValues.doubleValue(env, RETRY_MULTIPLIER_ENV, r.retryMultiplier()),
            EnvValues.doubleValue(env, RETRY_JITTER_ENV, r.retryJitter()),
            EnvValues.intValue(env, BREAKER_FAILURE_RATE_ENV, r.breakerFailureRatePercent()),
            EnvValues.intValue(env, BREAKER_WINDOW_ENV, r.breakerWindow()),
            EnvValues.durationValue(env, BREAKER_OPEN_WAIT_ENV, r.breakerOpenWait()),
            EnvValues.flag(env, HANDLER_BREAKER_ENV, r.handlerBreaker()));
    }

    public ResilienceSettings
    {
        require(retryMaxAttempts >= 1, RETRY_MAX_ATTEMPTS_ENV + " must be 1 (no retry) or more: " + retryMaxAttempts);
        require(positive(retryInitialDelay) && positive(retryMaxDelay)
                && retryInitialDelay.compareTo(retryMaxDelay) <= 0, RETRY_INITIAL_DELAY_ENV + "=" + retryInitialDelay
            + " must be positive and at most " + RETRY_MAX_DELAY_ENV + "=" + retryMaxDelay);
        require(retryMultiplier >= 1 && retryJitter >= 0 && retryJitter < 1, RETRY_MULTIPLIER_ENV + "="
            + retryMultiplier + " must be >= 1 and " + RETRY_JITTER_ENV + "=" + retryJitter + " in [0, 1)");
        require(breakerFailureRatePercent > 0 && breakerFailureRatePercent <= 100 && breakerWindow >= 1
                && positive(breakerOpenWait), BREAKER_FAILURE_RATE_ENV + "=" + breakerFailureRatePercent
                + " must be 1..100, " + BREAKER_WINDOW_ENV + "=" + breakerWindow + " >= 1, "
                + BREAKER_OPEN_WAIT_ENV + "=" + breakerOpenWait + " positive");
    }

    /** @return these settings with another retry policy. */
    public ResilienceSettings retry(final int maxAttempts, final Duration initialDelay, final Duration maxDelay)
    {
        return new ResilienceSettings(maxAttempts, initialDelay, maxDelay, retryMultiplier, retryJitter,
            breakerFailureRatePercent, breakerWindow, breakerOpenWait, handlerBreaker);
    }

    /** @return these settings with another circuit breaker. */
    public ResilienceSettings breaker(final int failureRatePercent, final int window, final Duration openWait)
    {
        return new ResilienceSettings(retryMaxAttempts, retryInitialDelay, retryMaxDelay, retryMultiplier,
            retryJitter, failureRatePercent, window, openWait, handlerBreaker);
    }

    /** @return these settings with the breaker around handling on or off. */
    public ResilienceSettings handlerBreaker(final boolean on)
    {
        return new ResilienceSettings(retryMaxAttempts, retryInitialDelay, retryMaxDelay, retryMultiplier,
            retryJitter, breakerFailureRatePercent, breakerWindow, breakerOpenWait, on);
    }
}
