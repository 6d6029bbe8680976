package io.agentflow.codec;

import io.agentflow.codec.error.ErrorCode;
import io.agentflow.codec.error.MessageError;
import io.agentflow.codec.json.JsonLimits;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Verifies a batch of envelopes on several threads, as a receiver verifies one: the contract and the
 * {@code envelope_hash}, in place when the bytes are canonical ({@link EnvelopeDecoder#verifyInPlace}), else by the
 * full path (which accepts intact, re-serialized bytes and names what is wrong with the rest). The batch is cut
 * into one contiguous range per thread, the caller's thread taking one, so nothing is shared but the input and the
 * result array. For archives and audits ({@code agentflow verify --jsonl}); the bus verifies as messages arrive.
 * Thread-safe between calls' results; one batch at a time per instance.
 */
public final class BulkVerifier implements AutoCloseable
{
    /** One envelope's outcome: the message id when it verified, else the error (with the id when readable). */
    public record Outcome(String id, MessageError error)
    {
        public boolean verified()
        {
            return null == error;
        }
    }

    private final int threads;
    private final JsonLimits limits;
    private final ExecutorService pool;

    /** @param threads how many threads verify, the caller's included (1: the caller alone). */
    public BulkVerifier(final int threads, final JsonLimits limits)
    {
        if (threads < 1)
        {
            throw MessageError.of(ErrorCode.VALIDATION_ERROR, "threads must be 1 or more: " + threads);
        }
        this.threads = threads;
        this.limits = limits;
        this.pool = threads > 1 ? Executors.newFixedThreadPool(threads - 1, r ->
        {
            final Thread t = new Thread(r, "af-bulk-verify");
            t.setDaemon(true);
            return t;
        }) : null;
    }

    /** @return a verifier using every core. */
    public static BulkVerifier onEveryCore(final JsonLimits limits)
    {
        return new BulkVerifier(Runtime.getRuntime().availableProcessors(), limits);
    }

    /** @return one outcome per envelope, in the same order. */
    public Outcome[] verify(final List<byte[]> envelopes)
    {
        final Outcome[] outcomes = new Outcome[envelopes.size()];
        final int parts = Math.max(1, Math.min(threads, envelopes.size() / 64));   // small batches: one thread
        final int step = (envelopes.size() + parts - 1) / parts;
        final List<Future<?>> others = new ArrayList<>(parts);
        for (int p = 1; p < parts; p++)
        {
            final int from = p * step;
            final int to = Math.min(envelopes.size(), from + step);
            others.add(pool.submit(() -> verifyRange(envelopes, from, to, outcomes)));
        }
        verifyRange(envelopes, 0, Math.min(envelopes.size(), step), outcomes);
        for (final Future<?> other : others)
        {
            try
            {
                other.get();
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while verifying", ex);
            }
            catch (final ExecutionException ex)
            {
                throw new IllegalStateException("a verifying thread failed", ex.getCause());
            }
        }
        return outcomes;
    }

    private void verifyRange(final List<byte[]> envelopes, final int from, final int to, final Outcome[] outcomes)
    {
        final EnvelopeDecoder decoder = new EnvelopeDecoder(limits);
        final EnvelopeView view = new EnvelopeView();
        for (int i = from; i < to; i++)
        {
            final byte[] bytes = envelopes.get(i);
            try
            {
                outcomes[i] = new Outcome(decoder.verifyInPlace(bytes, 0, bytes.length)
                    ? view.wrap(bytes, 0, bytes.length).id() : decoder.decode(bytes).id(), null);
            }
            catch (final MessageError e)
            {
                final Object id = e.details().get("id");
                outcomes[i] = new Outcome(id instanceof String ? (String)id : null, e);
            }
        }
    }

    @Override
    public void close()
    {
        if (null != pool)
        {
            pool.shutdown();
        }
    }
}
