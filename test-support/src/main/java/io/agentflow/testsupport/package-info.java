/**
 * Real nats-servers for every module's tests and the benchmarks: the binary ({@code NATS_SERVER_PATH}, the PATH or
 * {@code /usr/sbin}, one lookup in {@link io.agentflow.testsupport.NatsProcess#binary()}), a single server
 * ({@link io.agentflow.testsupport.NatsTestServer}, {@link io.agentflow.testsupport.NatsProcess}), a cluster with
 * cuttable routes ({@link io.agentflow.testsupport.NatsCluster}, {@link io.agentflow.testsupport.TcpLink}), signals
 * and sync traces for fault tests ({@link io.agentflow.testsupport.SyncTrace}), a test CA
 * ({@link io.agentflow.testsupport.TestCa}) and waiting on a condition instead of sleeping
 * ({@link io.agentflow.testsupport.Await}). It knows nothing of the bus, so every module can depend on it; bus
 * settings for a test server are the bus's tests' own ({@code TestConfigs}).
 */
package io.agentflow.testsupport;
