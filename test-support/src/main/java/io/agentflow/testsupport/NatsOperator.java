package io.agentflow.testsupport;

import io.nats.client.NKey;
import io.nats.client.support.JwtUtils;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.List;

/**
 * Decentralised NATS authentication for tests, as {@code nsc} would set it up: an operator, one account with
 * JetStream, and users of that account, each a JWT signed by the key above it; a server in operator mode trusts the
 * operator and preloads the account ({@code resolver: MEMORY}); a user connects with a {@code .creds} file (its JWT
 * and NKey seed). {@link #strangerCredsFile} issues a user of an account the server does not know.
 */
public final class NatsOperator
{
    private static final SecureRandom RANDOM = new SecureRandom();
    /** JetStream on, everything else unlimited: JWT v2 account limits, -1 for no limit. */
    private static final String ACCOUNT_CLAIMS = "{\"type\":\"account\",\"version\":2,\"limits\":{\"subs\":-1,"
        + "\"data\":-1,\"payload\":-1,\"imports\":-1,\"exports\":-1,\"wildcards\":true,\"conn\":-1,\"leaf\":-1,"
        + "\"mem_storage\":-1,\"disk_storage\":-1,\"streams\":-1,\"consumer\":-1}}";

    private final String operatorJwt;
    private final NKey account;
    private final String accountId;
    private final String accountJwt;
    private final String systemId;
    private final String systemJwt;

    private NatsOperator(final String operatorJwt, final NKey account, final String accountJwt, final String systemId,
        final String systemJwt) throws Exception
    {
        this.operatorJwt = operatorJwt;
        this.account = account;
        this.accountId = new String(account.getPublicKey());
        this.accountJwt = accountJwt;
        this.systemId = systemId;
        this.systemJwt = systemJwt;
    }

    public static NatsOperator create() throws Exception
    {
        final NKey operator = NKey.createOperator(RANDOM);
        final String operatorId = new String(operator.getPublicKey());
        // issuer (iss) given explicitly: without it the server refuses the claim's signature
        final String operatorJwt = JwtUtils.issueJWT(operator, operatorId, "test-operator", Duration.ZERO,
            JwtUtils.currentTimeSeconds(), operatorId, null, () -> "{\"type\":\"operator\",\"version\":2}");
        final NKey account = NKey.createAccount(RANDOM);
        final String accountJwt = JwtUtils.issueJWT(operator, new String(account.getPublicKey()), "test-account",
            Duration.ZERO, JwtUtils.currentTimeSeconds(), operatorId, null, () -> ACCOUNT_CLAIMS);
        // JetStream in operator mode needs a system account for its internal subscriptions
        final String systemId = new String(NKey.createAccount(RANDOM).getPublicKey());
        final String systemJwt = JwtUtils.issueJWT(operator, systemId, "SYS", Duration.ZERO,
            JwtUtils.currentTimeSeconds(), operatorId, null, () -> "{\"type\":\"account\",\"version\":2}");
        return new NatsOperator(operatorJwt, account, accountJwt, systemId, systemJwt);
    }

    /** @return the server's configuration lines for operator mode, with this operator and its account. */
    public List<String> serverConfig()
    {
        return List.of("operator: \"" + operatorJwt + "\"", "system_account: " + systemId, "resolver: MEMORY",
            "resolver_preload: { " + accountId + ": \"" + accountJwt + "\", " + systemId + ": \"" + systemJwt
                + "\" }");
    }

    /** @return a new user's {@code .creds} file in {@code dir}. */
    public Path credsFile(final Path dir, final String name) throws Exception
    {
        return writeCreds(dir, name, account);
    }

    /** @return the {@code .creds} of a user whose account this operator never signed: the server must refuse it. */
    public static Path strangerCredsFile(final Path dir, final String name) throws Exception
    {
        return writeCreds(dir, name, NKey.createAccount(RANDOM));
    }

    private static Path writeCreds(final Path dir, final String name, final NKey account) throws Exception
    {
        final NKey user = NKey.createUser(RANDOM);
        final String jwt = JwtUtils.issueUserJWT(account, new String(account.getPublicKey()),
            new String(user.getPublicKey()), name);
        return Files.writeString(dir.resolve(name + ".creds"), String.format(JwtUtils.NATS_USER_JWT_FORMAT, jwt,
            new String(user.getSeed())));
    }
}
