package io.agentflow.codec;

/**
 * Outcome of the fast hash check over received bytes ({@link EnvelopeDecoder#checkHash}).
 */
public enum HashCheck
{
    /** The bytes minus the hash member hash to the claimed value. */
    MATCH,
    /** The hash member was found but does not match the bytes around it; only the full path can still accept. */
    MISMATCH,
    /** The bytes are not laid out canonically enough to find the hash member; take the full path. */
    NOT_LOCATED
}
