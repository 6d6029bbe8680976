/**
 * The envelope: the {@link io.agentflow.codec.Message} model, ULIDs, the RFC 8785 canonical encoder into reusable
 * buffers, the strict decoder and in-place verification, the envelope hash, the flyweight {@link
 * io.agentflow.codec.EnvelopeView}, timestamps, bulk verification. Depends on nothing of the bus (ArchitectureTest).
 */
package io.agentflow.codec;
