package io.agentflow.bus.security;

import io.agentflow.bus.wire.Subjects;
import io.agentflow.codec.error.ErrorCode;
import io.agentflow.codec.error.MessageError;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.PublicKey;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

/**
 * The public keys a receiver trusts, by key id, each with the {@link KeyGrant} of whom it may speak for. From a
 * directory, each {@code <key-id>.pem} file holds one Ed25519 public key, and an optional {@code <key-id>.grant} file
 * its grant (without one, the key speaks for the agent named {@code <key-id>}). Keys may also be added at run time
 * (rotation: add the new key, start signing with it, remove the old one once nothing signed with it is in flight).
 * Thread-safe.
 */
public final class KeyRegistry
{
    private final Map<String, PublicKey> keys = new ConcurrentHashMap<>();
    private final Map<String, KeyGrant> grants = new ConcurrentHashMap<>();

    public static KeyRegistry fromDirectory(final Path dir)
    {
        final KeyRegistry registry = new KeyRegistry();
        try (Stream<Path> files = Files.list(dir))
        {
            for (final Path file : files.filter(f -> f.getFileName().toString().endsWith(".pem")).toList())
            {
                final String name = file.getFileName().toString();
                final String keyId = name.substring(0, name.length() - 4);
                final Path grant = file.resolveSibling(keyId + ".grant");
                registry.add(keyId, EnvelopeSigner.publicKeyFromPem(Files.readString(file)), Files.exists(grant)
                    ? KeyGrant.parse(keyId, Files.readString(grant)) : KeyGrant.agent(keyId));
            }
        }
        catch (final IOException | GeneralSecurityException | IllegalArgumentException ex)
        {
            throw MessageError.atPath(ErrorCode.VALIDATION_ERROR, Signatures.TRUSTED_KEYS_DIR_ENV,
                "cannot read the trusted keys in " + dir + ": " + ex.getMessage());
        }
        return registry;
    }

    /** Trusts {@code key} to speak for the agent named {@code keyId}, on any subject. */
    public KeyRegistry add(final String keyId, final PublicKey key)
    {
        return add(keyId, key, KeyGrant.agent(keyId));
    }

    /** Trusts {@code key} to speak for whom {@code grant} names. */
    public KeyRegistry add(final String keyId, final PublicKey key, final KeyGrant grant)
    {
        grants.put(Subjects.token(keyId, "key id"), grant);
        keys.put(keyId, key);
        return this;
    }

    public KeyRegistry remove(final String keyId)
    {
        keys.remove(keyId);
        grants.remove(keyId);
        return this;
    }

    /** @return whom the key may speak for, or {@code null} when {@code keyId} is not trusted. */
    public KeyGrant grant(final String keyId)
    {
        return null == keyId ? null : grants.get(keyId);
    }

    /** @return the key, or {@code null} when {@code keyId} is not trusted. */
    public PublicKey get(final String keyId)
    {
        return null == keyId ? null : keys.get(keyId);
    }

    public int size()
    {
        return keys.size();
    }
}
