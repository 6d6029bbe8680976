/**
 * Tamper evidence beyond the envelope hash: Ed25519 signatures over subject and hash ({@link
 * io.agentflow.bus.security.Signatures}, trusted keys and their grants, the signature policy), per-workflow hash
 * chains and their verification on replay, PEM reading, and {@link io.agentflow.bus.security.LogText}, which makes
 * text a sender chose safe for a log line. Transport-neutral: headers are read through {@code
 * io.agentflow.bus.wire.MessageHeaders}.
 */
package io.agentflow.bus.security;
