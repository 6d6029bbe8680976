package io.agentflow.bus.runtime;

import io.agentflow.bus.MessageErrors;
import io.agentflow.bus.pipeline.PublishPipeline;

import java.util.function.Supplier;

/**
 * A bus's publish pipeline, made on first use and closed with the bus. Every publish reads it, so after the first
 * it is one volatile read, no lock.
 */
public final class LazyPipeline
{
    private final Supplier<PublishPipeline> make;
    private volatile PublishPipeline pipeline;
    private boolean closed;

    public LazyPipeline(final Supplier<PublishPipeline> make)
    {
        this.make = make;
    }

    public PublishPipeline get()
    {
        PublishPipeline p = pipeline;
        if (null == p)
        {
            synchronized (this)
            {
                if (closed)
                {
                    throw MessageErrors.transport("the bus is closed", null);
                }
                p = pipeline;
                if (null == p)
                {
                    p = make.get();
                    pipeline = p;
                }
            }
        }
        return p;
    }

    /** Waits for every committed publish to complete, then stops the pipeline's transport edge. */
    public synchronized void close()
    {
        closed = true;
        if (null != pipeline)
        {
            pipeline.close();
        }
    }
}
