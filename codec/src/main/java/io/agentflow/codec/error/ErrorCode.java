package io.agentflow.codec.error;

/**
 * The error codes of the wire contract. Each knows its wire name and whether an operation that failed with it may
 * succeed when retried unchanged.
 */
public enum ErrorCode
{
    /** A member has the right JSON type but breaks a contract rule (ULID format, hex width, negative cost...). */
    VALIDATION_ERROR("validation_error", false),
    /** The bytes are not I-JSON: syntax, duplicate names, lone surrogates, invalid UTF-8, range, size or depth. */
    SERIALIZATION_ERROR("serialization_error", false),
    /** The broker could not be reached or refused the operation. */
    TRANSPORT_ERROR("transport_error", true),
    /** The broker did not answer in time. */
    TIMEOUT_ERROR("timeout_error", true),
    /** The envelope hash does not match the canonical form of the message. */
    HASH_MISMATCH("hash_mismatch", false),
    /** The message object has missing or unknown members, or a member of the wrong JSON type. */
    SCHEMA_ERROR("schema_error", false);

    private final String wireName;
    private final boolean retryable;

    ErrorCode(final String wireName, final boolean retryable)
    {
        this.wireName = wireName;
        this.retryable = retryable;
    }

    /**
     * @return the lowercase name used in logs, metrics and command line output, e.g. {@code hash_mismatch}.
     */
    public String wireName()
    {
        return wireName;
    }

    /**
     * @return whether an operation failing with this code may succeed if retried unchanged.
     */
    public boolean retryable()
    {
        return retryable;
    }
}
