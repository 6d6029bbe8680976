/**
 * Options shared by several commands of the {@code agentflow} command line, including the load generator's: below
 * both {@code io.agentflow.cli} and {@code io.agentflow.cli.loadgen}, so neither has to reach into the other.
 */
package io.agentflow.cli.options;
