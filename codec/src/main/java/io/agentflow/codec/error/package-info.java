/**
 * What went wrong, in the contract's words: {@link io.agentflow.codec.error.MessageError} carries one of the
 * design's {@link io.agentflow.codec.error.ErrorCode}s, a message and details. Below everything else of the codec
 * (the JSON reader and writer report through it), and it depends on nothing of ours.
 */
package io.agentflow.codec.error;
