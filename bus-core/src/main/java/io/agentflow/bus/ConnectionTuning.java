package io.agentflow.bus;

import java.time.Duration;

import static io.agentflow.bus.SettingsChecks.require;

/**
 * The connection's keep-alive and buffers (issue 22), from {@code AF_BUS_*} variables; the defaults are jnats' own, so
 * an unset variable changes nothing.
 *
 * @param pingInterval      {@code AF_BUS_PING_INTERVAL} (2m): how often an idle connection asks the server for a pong.
 * @param maxPingsOut       {@code AF_BUS_MAX_PINGS_OUT} (2): pongs missed before the connection counts as lost and
 *                          reconnects; with the interval, how fast a silently dead server is noticed.
 * @param bufferSize        {@code AF_BUS_BUFFER_SIZE} (64 KiB): jnats' read and write buffers.
 * @param socketSendBuffer  {@code AF_BUS_SOCKET_SEND_BUFFER} (0: the OS's): SO_SNDBUF.
 * @param socketReceiveBuffer {@code AF_BUS_SOCKET_RECEIVE_BUFFER} (0: the OS's): SO_RCVBUF.
 */
public record ConnectionTuning(Duration pingInterval, int maxPingsOut, int bufferSize, int socketSendBuffer,
    int socketReceiveBuffer)
{
    public static final String PING_INTERVAL_ENV = "AF_BUS_PING_INTERVAL";
    public static final String MAX_PINGS_OUT_ENV = "AF_BUS_MAX_PINGS_OUT";
    public static final String BUFFER_SIZE_ENV = "AF_BUS_BUFFER_SIZE";
    public static final String SOCKET_SEND_BUFFER_ENV = "AF_BUS_SOCKET_SEND_BUFFER";
    public static final String SOCKET_RECEIVE_BUFFER_ENV = "AF_BUS_SOCKET_RECEIVE_BUFFER";

    /** jnats' defaults (its {@code Options.DEFAULT_*}; ConnectionTuningTest holds them equal). */
    public static final ConnectionTuning DEFAULT = new ConnectionTuning(Duration.ofMinutes(2), 2, 64 * 1024, 0, 0);

    /** @return the defaults (jnats' own) overridden by {@code env}. */
    public static ConnectionTuning fromEnv(final java.util.Map<String, String> env)
    {
        return new ConnectionTuning(EnvValues.durationValue(env, PING_INTERVAL_ENV, DEFAULT.pingInterval()),
            EnvValues.intValue(env, MAX_PINGS_OUT_ENV, DEFAULT.maxPingsOut()),
            EnvValues.intValue(env, BUFFER_SIZE_ENV, DEFAULT.bufferSize()),
            EnvValues.intValue(env, SOCKET_SEND_BUFFER_ENV, 0), EnvValues.intValue(env, SOCKET_RECEIVE_BUFFER_ENV, 0));
    }

    public ConnectionTuning
    {
        require(null != pingInterval && !pingInterval.isNegative() && !pingInterval.isZero(), PING_INTERVAL_ENV
            + " must be positive: " + pingInterval);
        require(maxPingsOut >= 1, MAX_PINGS_OUT_ENV + " must be 1 or more: " + maxPingsOut);
        require(bufferSize >= 1024, BUFFER_SIZE_ENV + " must be 1024 or more: " + bufferSize);
        require(socketSendBuffer >= 0 && socketReceiveBuffer >= 0, SOCKET_SEND_BUFFER_ENV + " and "
            + SOCKET_RECEIVE_BUFFER_ENV + " must be 0 (the OS's) or more");
    }
}
