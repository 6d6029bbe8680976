package io.agentflow.bus.pipeline;

import java.time.Duration;

/**
 * What a {@link PublishPipeline} is configured with, and nothing else of the bus's settings: its in-flight window
 * ({@code AF_BUS_MAX_IN_FLIGHT}, rounded up to a power of two for the ring), whether a claim on a full ring waits
 * ({@code AF_BUS_RING_FULL=wait}) or fails at once, and how long it waits (the publish timeout).
 */
public record PipelineSettings(int maxInFlight, boolean waitWhenFull, Duration claimTimeout)
{
    public PipelineSettings
    {
        if (maxInFlight < 1 || null == claimTimeout || claimTimeout.isNegative())
        {
            throw new IllegalArgumentException("maxInFlight must be >= 1 and claimTimeout >= 0: " + maxInFlight
                + ", " + claimTimeout);
        }
    }
}
