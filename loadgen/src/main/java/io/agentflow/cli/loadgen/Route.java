package io.agentflow.cli.loadgen;

import io.agentflow.codec.json.GrowableBytes;
import io.agentflow.codec.json.JcsNumbers;
import io.agentflow.codec.json.RawCanonicalJson;

import java.nio.charset.StandardCharsets;

/**
 * A load message's route in its {@code metadata}, written and read in place: the canonical JSON object
 * <pre>
 *   {"flow":F,"from_agent":A,"hop":H,"run":"TAG","t0":T,"workflow_id":"wf-TAG-K"}
 * </pre>
 * (members in RFC 8785 order), with {@code "to_agent":N} before {@code workflow_id} when the agents share one inbox
 * subject (a worker of a multi-process run), so that the receiver learns the agent from the route instead of the
 * subject. One instance per publish slot is filled by the publisher and written by the
 * pipeline's encoder, so a send allocates nothing; {@link #read} parses the same bytes out of a verified envelope
 * without building a tree. Other traffic on a shared server (metadata of another shape or run) reads as not ours.
 */
final class Route implements RawCanonicalJson
{
    private static final byte[] FLOW = bytes("{\"flow\":");
    private static final byte[] FROM_AGENT = bytes(",\"from_agent\":");
    private static final byte[] HOP = bytes(",\"hop\":");
    private static final byte[] RUN = bytes(",\"run\":\"");
    private static final byte[] T0 = bytes("\",\"t0\":");
    private static final byte[] TO_AGENT = bytes(",\"to_agent\":");
    private static final byte[] WORKFLOW = bytes(",\"workflow_id\":\"");
    static final int WORKFLOWS = 64;   // workflow ids per run: wf-<tag>-0 .. wf-<tag>-63

    private final byte[] run;
    private final byte[][] workflowIds;
    private final boolean withTo;
    int flow;
    int fromAgent;
    int toAgent;
    int hop;
    long t0;
    private long parsed;   // what the last digits() read

    Route(final String runTag)
    {
        this(runTag, false);
    }

    /** @param withTo write and read {@code to_agent} (the agents share one inbox subject). */
    Route(final String runTag, final boolean withTo)
    {
        this.withTo = withTo;
        this.run = bytes(runTag);
        this.workflowIds = new byte[WORKFLOWS][];
        for (int i = 0; i < WORKFLOWS; i++)
        {
            workflowIds[i] = bytes(workflowId(runTag, i) + "\"}");
        }
    }

    /** @return the workflow id of flows {@code k}, {@code k + 64}, ... of run {@code runTag}. */
    static String workflowId(final String runTag, final int k)
    {
        return "wf-" + runTag + "-" + k;
    }

    Route set(final int flow, final int fromAgent, final int toAgent, final int hop, final long t0)
    {
        this.flow = flow;
        this.fromAgent = fromAgent;
        this.toAgent = toAgent;
        this.hop = hop;
        this.t0 = t0;
        return this;
    }

    @Override
    public void writeCanonicalTo(final GrowableBytes out)
    {
        out.put(FLOW);
        number(out, flow);
        out.put(FROM_AGENT);
        number(out, fromAgent);
        out.put(HOP);
        number(out, hop);
        out.put(RUN);
        out.put(run);
        out.put(T0);
        number(out, t0);
        if (withTo)
        {
            out.put(TO_AGENT);
            number(out, toAgent);
        }
        out.put(WORKFLOW);
        out.put(workflowIds[flow & (WORKFLOWS - 1)]);
    }

    /** Integers below 2^53 are their plain decimal digits in JCS. */
    private static void number(final GrowableBytes out, final long value)
    {
        if (Math.abs(value) > JcsNumbers.MAX_SAFE_INTEGER)
        {
            throw new IllegalArgumentException("not a safe JSON integer: " + value);
        }
        final int p = out.reserve(JcsNumbers.MAX_CHARS);
        out.advanceTo(JcsNumbers.write(value, out.array(), p));
    }

    /**
     * Fills this route from metadata bytes {@code b[offset, offset + length)}.
     *
     * @return false when they are not a route of this run.
     */
    boolean read(final byte[] b, final int offset, final int length)
    {
        final int end = offset + length;
        int p = expect(b, offset, end, FLOW);
        if (p < 0)
        {
            return false;
        }
        p = digits(b, p, end);
        flow = (int)parsed;
        p = expect(b, p, end, FROM_AGENT);
        p = p < 0 ? p : digits(b, p, end);
        fromAgent = (int)parsed;
        p = expect(b, p, end, HOP);
        p = p < 0 ? p : digits(b, p, end);
        hop = (int)parsed;
        p = expect(b, p, end, RUN);
        p = expect(b, p, end, run);
        p = expect(b, p, end, T0);
        p = p < 0 ? p : digits(b, p, end);
        t0 = parsed;
        if (withTo)
        {
            p = expect(b, p, end, TO_AGENT);
            p = p < 0 ? p : digits(b, p, end);
            toAgent = (int)parsed;
        }
        return p >= 0;
    }

    /** @return the index after an optionally negative integer starting at {@code p} (its value in parsed), or -1. */
    private int digits(final byte[] b, final int from, final int end)
    {
        int p = from;
        final boolean negative = p < end && '-' == b[p];
        if (negative)
        {
            p++;
        }
        long v = 0;
        final int first = p;
        while (p < end && b[p] >= '0' && b[p] <= '9')
        {
            v = v * 10 + (b[p++] - '0');
        }
        parsed = negative ? -v : v;
        return p == first ? -1 : p;
    }

    /** @return the index after {@code literal} if it stands at {@code p}, else -1 (also when p is already -1). */
    private static int expect(final byte[] b, final int p, final int end, final byte[] literal)
    {
        if (p < 0 || end - p < literal.length)
        {
            return -1;
        }
        for (int k = 0; k < literal.length; k++)
        {
            if (b[p + k] != literal[k])
            {
                return -1;
            }
        }
        return p + literal.length;
    }

    private static byte[] bytes(final String s)
    {
        return s.getBytes(StandardCharsets.US_ASCII);
    }
}
