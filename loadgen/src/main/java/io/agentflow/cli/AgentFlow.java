package io.agentflow.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code agentflow} command: entry point of the runnable jar that {@code bin/agentflow} builds and runs.
 * Each tool is a subcommand; exit status 0 means every input was good, 1 that some input failed, 2 a usage error.
 */
@Command(
    name = "agentflow",
    mixinStandardHelpOptions = true,
    versionProvider = AgentFlow.Version.class,
    description = "Tamper-evident messaging between agents over NATS JetStream.",
    subcommands = {
        CanonCommand.class,
        HashCommand.class,
        VerifyCommand.class,
        NewCommand.class,
        StreamsCommand.class,
        PublishCommand.class,
        TailCommand.class,
        ReplayCommand.class,
        io.agentflow.cli.loadgen.LoadgenCommand.class,
        CommandLine.HelpCommand.class})
public final class AgentFlow
{
    public static void main(final String[] args)
    {
        System.exit(commandLine().execute(args));
    }

    /** @return the configured command line, for the launcher and for in-process tests. */
    public static CommandLine commandLine()
    {
        return new CommandLine(new AgentFlow());
    }

    static final class Version implements CommandLine.IVersionProvider
    {
        @Override
        public String[] getVersion()
        {
            final String v = AgentFlow.class.getPackage().getImplementationVersion();
            return new String[]{"agentflow " + (null == v ? "development build" : v)};
        }
    }
}
