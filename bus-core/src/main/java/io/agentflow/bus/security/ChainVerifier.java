package io.agentflow.bus.security;

import io.agentflow.codec.Message;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Checks the hash chains of {@link WorkflowChain} over messages in stream order, one chain per workflow, sender and
 * session: {@code chain_seq} 1, 2, 3... each {@code chain_prev} the {@link WorkflowChain#link link} of the message
 * before. What breaks that is reported precisely ({@link #finish()}):
 * <ul>
 *   <li>{@code gap}: sequence numbers missing between two messages, named with their neighbours (a deleted
 *       message, or one never stored), or before a chain's first message when the replay reads from the start;</li>
 *   <li>{@code reordered}: a message stored after one that follows it;</li>
 *   <li>{@code inserted}: a message claiming a place already taken, or linking to a message that is not its
 *       predecessor;</li>
 *   <li>{@code duplicate}: the same message stored again (same envelope hash), e.g. after the broker's duplicate
 *       window;</li>
 *   <li>{@code unlinked}: a message without chain fields from a sender whose messages are chained;</li>
 *   <li>{@code malformed}: {@code chain_seq} not a positive integer, or {@code chain_prev} not a string.</li>
 * </ul>
 * Replayed from a point in time, the lowest sequence number seen anchors a chain (the replay starts mid-chain);
 * replayed from the start ({@link #ChainVerifier(boolean)}), every chain must begin at 1. Memory: a sequence number,
 * link, hash and id per chained message replayed.
 */
public final class ChainVerifier
{
    private record Link(long seq, String prev, String link, String hash, String id, long streamSequence)
    {
    }

    private final boolean fromStart;

    /** @param fromStart whether the replay reads the stream from its beginning, so chains must start at 1. */
    public ChainVerifier(final boolean fromStart)
    {
        this.fromStart = fromStart;
    }

    /** Per chain, the messages claiming each sequence number (more than one: all but one were inserted). */
    private final Map<String, TreeMap<Long, List<Link>>> chains = new HashMap<>();
    private final List<ChainBreak> breaks = new ArrayList<>();

    public void accept(final Message m, final long streamSequence)
    {
        if (!(m.metadata().tree() instanceof Map<?, ?> meta) || !(meta.get("workflow_id") instanceof String wf))
        {
            return;
        }
        final String name = wf + "/" + m.from() + (meta.get(WorkflowChain.SESSION) instanceof String session
            ? "/" + session : "");
        final TreeMap<Long, List<Link>> chain = chains.get(name);
        final Object seqValue = meta.get(WorkflowChain.SEQ);
        final Object prevValue = meta.get(WorkflowChain.PREV);
        if (null == seqValue && null == prevValue)
        {
            if (null != chain)
            {
                report(streamSequence, m.id(), "unlinked", "chain " + name + ": message without "
                    + WorkflowChain.SEQ + "/" + WorkflowChain.PREV + " from a sender whose messages are chained");
            }
            return;
        }
        // integer literals read as Long; 1.9 or "1" would otherwise be taken for a place in the chain
        if (!(seqValue instanceof Long seq) || seq < 1 || !(prevValue instanceof String prev))
        {
            report(streamSequence, m.id(), "malformed", "chain " + name + ": " + WorkflowChain.SEQ + " must be a "
                + "positive integer and " + WorkflowChain.PREV + " a string, got " + seqValue + " and " + prevValue);
            return;
        }
        final Link link = new Link(seq, prev, WorkflowChain.link(m), m.envelopeHash(), m.id(), streamSequence);
        final TreeMap<Long, List<Link>> links = null != chain ? chain : new TreeMap<>();
        chains.putIfAbsent(name, links);
        if (!links.isEmpty() && link.seq() < links.lastKey() && !links.containsKey(link.seq()))
        {
            final Link later = links.lastEntry().getValue().get(0);
            report(streamSequence, link.id(), "reordered", "chain " + name + ": seq " + link.seq()
                + " stored after seq " + later.seq() + " (id " + later.id() + ", stream seq " + later.streamSequence()
                + ")");
        }
        links.computeIfAbsent(link.seq(), k -> new ArrayList<>(1)).add(link);
    }

    /** @return every break found, in stream order: reorderings as they came, then insertions and gaps. */
    public List<ChainBreak> finish()
    {
        chains.forEach((name, links) ->
        {
            Link previous = null;
            final long first = links.firstKey();
            if (fromStart && first > 1)
            {
                final Link head = links.firstEntry().getValue().get(0);
                report(head.streamSequence(), head.id(), "gap", "chain " + name + ": seq " + (first == 2 ? "1"
                    : "1.." + (first - 1)) + " missing before id " + head.id() + " (seq " + first + ", stream seq "
                    + head.streamSequence() + "), the first stored: the chain's head deleted or never stored");
            }
            for (final Map.Entry<Long, List<Link>> entry : links.entrySet())
            {
                final Link genuine = genuine(entry.getValue(), previous, links.get(entry.getKey() + 1));
                for (final Link other : entry.getValue())
                {
                    if (other == genuine)
                    {
                        continue;
                    }
                    if (other.hash().equals(genuine.hash()))
                    {
                        report(other.streamSequence(), other.id(), "duplicate", "chain " + name + ": seq "
                            + other.seq() + " (id " + other.id() + ") stored again at stream seq "
                            + other.streamSequence() + ", first at " + genuine.streamSequence());
                    }
                    else
                    {
                        report(other.streamSequence(), other.id(), "inserted", "chain " + name + ": seq "
                            + other.seq() + " is claimed by id " + other.id() + " (stream seq " + other.streamSequence()
                            + ") as well as by id " + genuine.id() + " (stream seq " + genuine.streamSequence()
                            + "), which the chain continues from");
                    }
                }
                if (null != previous && genuine.seq() > previous.seq() + 1)
                {
                    final long from = previous.seq() + 1;
                    final long to = genuine.seq() - 1;
                    report(genuine.streamSequence(), genuine.id(), "gap", "chain " + name + ": seq "
                        + (from == to ? from : from + ".." + to) + " missing between id " + previous.id()
                        + " (seq " + previous.seq() + ", stream seq " + previous.streamSequence() + ") and id "
                        + genuine.id() + " (seq " + genuine.seq() + ", stream seq " + genuine.streamSequence()
                        + "): deleted or never stored");
                }
                else if (null != previous && !previous.link().equals(genuine.prev()))
                {
                    report(genuine.streamSequence(), genuine.id(), "inserted", "chain " + name + ": seq "
                        + genuine.seq() + " (id " + genuine.id() + ") links to " + shortHash(genuine.prev())
                        + " but seq " + previous.seq() + " (id " + previous.id() + ") has link "
                        + shortHash(previous.link()));
                }
                previous = genuine;
            }
        });
        breaks.sort(Comparator.comparingLong(ChainBreak::streamSequence));
        return breaks;
    }

    /**
     * @return of the messages claiming one place, the one the chain continues from (its successor links to it),
     * else the one that links to its predecessor, else the first stored.
     */
    private static Link genuine(final List<Link> claimants, final Link previous, final List<Link> successors)
    {
        if (1 == claimants.size())
        {
            return claimants.get(0);
        }
        if (null != successors)
        {
            for (final Link c : claimants)
            {
                if (successors.stream().anyMatch(s -> s.prev().equals(c.link())))
                {
                    return c;
                }
            }
        }
        if (null != previous)
        {
            for (final Link c : claimants)
            {
                if (c.prev().equals(previous.link()))
                {
                    return c;
                }
            }
        }
        return claimants.get(0);
    }

    private void report(final long streamSequence, final String id, final String kind, final String detail)
    {
        breaks.add(new ChainBreak(streamSequence, id, kind, detail));
    }

    private static String shortHash(final String hash)
    {
        return hash.isEmpty() ? "(none)" : hash.substring(0, Math.min(12, hash.length()));
    }
}
