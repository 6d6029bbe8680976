/**
 * The bus over NATS JetStream, and the only package of the library that uses jnats: the bus and its connection
 * (security and tuning applied as jnats options, TLS with host checking), its one outbound edge ({@code
 * JetStreamOutbound}, the claim path's sink), its one consumer binding ({@code JetStreamConsumer}) under both kinds
 * of subscription, provisioning of the design's streams, replay, the quarantine, the admin surface and the subject
 * watch the command line uses. Public here: {@link io.agentflow.bus.jetstream.JetStreamBus}, {@link
 * io.agentflow.bus.jetstream.JetStreamAdmin}, {@link io.agentflow.bus.jetstream.SubjectWatch}, {@link
 * io.agentflow.bus.jetstream.StreamProvisioner} and the quarantine's header names; no public signature carries a
 * jnats type (ArchitectureTest).
 */
package io.agentflow.bus.jetstream;
