/**
 * {@code agentflow loadgen}: simulated agents on a schedule, through the bus (both publish paths) and through bare
 * jnats side by side ({@code RawJnatsLoadTransport}, the one class here that uses jnats), HdrHistogram percentiles,
 * cost per message, reports with plots. Depends on {@code io.agentflow.cli.options}, never on the command classes.
 */
package io.agentflow.cli.loadgen;
