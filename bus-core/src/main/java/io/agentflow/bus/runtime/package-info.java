/**
 * What both transports run, written once: the subscription lifecycle and delivery policy (counts, redeliver or
 * quarantine after a handler fails), handler shards and the ordering-key hash, the duplicate-id windows, the
 * publish retry policy and circuit breaker, and {@code publish(Message)} as a thin layer over the claim path.
 * Internal: public for the transports' packages, not for applications.
 */
package io.agentflow.bus.runtime;
