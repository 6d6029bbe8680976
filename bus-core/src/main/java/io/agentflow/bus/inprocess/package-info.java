/**
 * The bus inside one JVM, with the same API and contract as JetStream: an append-only log per stream ({@code
 * InProcessStream}: segments, index records, reader gates, the duplicate-id window), the claim path's sink, both
 * kinds of subscription (readers that verify, then handlers inline or on shards), replay and the quarantine.
 * {@link io.agentflow.bus.inprocess.InProcessBus} is what applications name; the rest is public only for this
 * package's neighbours and tests.
 */
package io.agentflow.bus.inprocess;
