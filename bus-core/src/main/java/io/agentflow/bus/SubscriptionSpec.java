package io.agentflow.bus;

import io.agentflow.bus.wire.Subjects;

/**
 * What to consume: a durable consumer (created with the bus's defaults when it does not exist), the subject it
 * filters on, and where a new consumer starts.
 *
 * @param durableName   the consumer's name; the same name resumes where the last subscriber stopped.
 * @param filterSubject the subject or pattern, e.g. {@code agents.worker-7.in} or {@code agents.*.in}.
 * @param start         where a consumer created by this subscription begins; an existing one keeps its position.
 */
public record SubscriptionSpec(String durableName, String filterSubject, StartPosition start)
{
    /** Where a new durable consumer begins reading. */
    public enum StartPosition
    {
        /** Every message the stream still holds (the default, as for the design's default consumers). */
        ALL,
        /** Only messages stored after the consumer is created: a load run, a live view. */
        NEW
    }

    public SubscriptionSpec
    {
        Subjects.token(durableName, "durable_name");
    }

    public static SubscriptionSpec durable(final String durableName, final String filterSubject)
    {
        return new SubscriptionSpec(durableName, filterSubject, StartPosition.ALL);
    }

    public SubscriptionSpec startingAt(final StartPosition position)
    {
        return new SubscriptionSpec(durableName, filterSubject, position);
    }
}
