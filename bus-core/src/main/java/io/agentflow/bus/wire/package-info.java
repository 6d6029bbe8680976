/**
 * The wire contract beside the envelope, shared by both transports and everything above them: the subject taxonomy
 * and subject patterns ({@link io.agentflow.bus.wire.Subjects}, {@link io.agentflow.bus.wire.SubjectPattern}), the
 * design's streams described once ({@link io.agentflow.bus.wire.Streams}), and header access ({@link
 * io.agentflow.bus.wire.MessageHeaders}). Depends on the codec only.
 */
package io.agentflow.bus.wire;
