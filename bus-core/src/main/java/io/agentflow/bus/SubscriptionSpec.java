package io.agentflow.bus;

/**
 * What to consume: a durable consumer (created with the bus's defaults when it does not exist) and the subject it
 * filters on.
 *
 * @param durableName   the consumer's name; the same name resumes where the last subscriber stopped.
 * @param filterSubject the subject or pattern, e.g. {@code agents.worker-7.in} or {@code agents.*.in}.
 */
public record SubscriptionSpec(String durableName, String filterSubject)
{
    public SubscriptionSpec
    {
        Subjects.token(durableName, "durable_name");
    }

    public static SubscriptionSpec durable(final String durableName, final String filterSubject)
    {
        return new SubscriptionSpec(durableName, filterSubject);
    }
}
