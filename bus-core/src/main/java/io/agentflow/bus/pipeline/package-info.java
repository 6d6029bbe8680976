/**
 * The claim path: a Disruptor ring of pooled {@link io.agentflow.bus.pipeline.PublishEvent}s that is both the pool
 * and the in-flight window; {@code commit} validates, encodes and hashes on the publisher's thread and hands the
 * bytes to the transport's {@link io.agentflow.bus.pipeline.PipelineSink}. Configured by its own {@link
 * io.agentflow.bus.pipeline.PipelineSettings}; knows no transport and no {@code BusConfig}.
 */
package io.agentflow.bus.pipeline;
