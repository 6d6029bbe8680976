/**
 * The {@code agentflow} command line: the document tools (canon, hash, verify, new), the bus tools (streams, publish,
 * tail, replay) and the settings of one invocation ({@code --profile}, {@code --config}, environment), handed to each
 * command by picocli's factory. Talks to NATS only through the bus's own types.
 */
package io.agentflow.cli;
