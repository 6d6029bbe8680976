package io.agentflow.cli;

import io.agentflow.bus.BusConfig;
import io.agentflow.codec.error.ErrorCode;
import io.agentflow.codec.error.MessageError;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;

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
        io.agentflow.cli.loadgen.WorkerCommand.class,
        ReportCommand.class,
        CompletionCommand.class,
        CommandLine.HelpCommand.class})
public final class AgentFlow
{
    // this invocation's settings, loaded by run() before the subcommand runs; commands read them through
    // busConfig(), handed to them by the factory below
    private CliEnvironment environment = CliEnvironment.load(null, null, System.getenv());
    private OpenTelemetrySdk openTelemetry;

    @Option(names = "--profile", scope = CommandLine.ScopeType.INHERIT, paramLabel = "dev|prod",
        description = "Settings profile (bus, tracing, logs); environment variables override it.")
    String profile;

    @Option(names = "--config", scope = CommandLine.ScopeType.INHERIT, paramLabel = "FILE",
        description = "Settings file of NAME=value lines (AF_BUS_*, OTEL_*, AGENTFLOW_LOG_*).")
    Path config;

    public static void main(final String[] args)
    {
        // java.util.logging goes where the rest goes (JSON lines on stderr, AGENTFLOW_LOG_LEVEL), not to its own
        // console handler: OpenTelemetry's API announced itself at INFO on every run
        org.slf4j.bridge.SLF4JBridgeHandler.removeHandlersForRootLogger();
        org.slf4j.bridge.SLF4JBridgeHandler.install();
        System.exit(commandLine().execute(args));
    }

    /** Exit status of a run refused before it could do its work: a bad value, a missing file, a setting. */
    public static final int USAGE_ERROR = 2;
    /** Exit status when the broker could not be reached or did not answer. */
    public static final int UNAVAILABLE = 3;
    /** What every command's help says of its exit status: the same four for all. */
    private static final java.util.Map<String, String> EXIT_CODES = exitCodes();

    private static java.util.Map<String, String> exitCodes()
    {
        final java.util.Map<String, String> codes = new java.util.LinkedHashMap<>();
        codes.put("0", "done: every input good, the load run within its budget");
        codes.put("1", "a message failed (verification, publish), or a load run missed its budget or lost one");
        codes.put(String.valueOf(USAGE_ERROR), "refused: a bad option or value, a missing file, a bad setting");
        codes.put(String.valueOf(UNAVAILABLE), "the broker could not be reached or did not answer");
        return codes;
    }

    /**
     * @return the configured command line, for the launcher and for in-process tests. An ordinary mistake (a file
     * that is not there, a bad value) ends the run with one line on stderr, {@code error <code> - <text>} ({@link FailureLine}), never a
     * stack trace: status {@value #USAGE_ERROR}, or {@value #UNAVAILABLE} when the broker is the cause. Every
     * command answers {@code -V} with the version.
     */
    public static CommandLine commandLine()
    {
        final AgentFlow root = new AgentFlow();
        final CommandLine cl = new CommandLine(root, root.factory())
            .setExecutionStrategy(parseResult -> root.run(parseResult))
            .setExecutionExceptionHandler((ex, command, parseResult) ->
            {
                final MessageError e = ex instanceof MessageError ? (MessageError)ex
                    : ex instanceof java.io.IOException ? new MessageError(ErrorCode.VALIDATION_ERROR,
                        ex instanceof java.nio.file.NoSuchFileException ? "no such file: " + ex.getMessage()
                            : String.valueOf(ex.getMessage()), java.util.Map.of(), ex)
                    : null;
                if (null == e)
                {
                    throw ex;   // a defect: its stack trace is wanted
                }
                command.getErr().println(FailureLine.of(e));
                command.getErr().flush();
                return e.retryable() ? UNAVAILABLE : USAGE_ERROR;
            });
        // a bad option or value is one failure line too, with where to look, not the whole usage text
        cl.setParameterExceptionHandler((ex, args) ->
        {
            ex.getCommandLine().getErr().println(FailureLine.of("validation_error", null, ex.getMessage() + " (see "
                + ex.getCommandLine().getCommandSpec().qualifiedName() + " --help)"));
            ex.getCommandLine().getErr().flush();
            return USAGE_ERROR;
        });
        everywhere(cl);
        return cl;
    }

    /** Every command, nested ones too, answers {@code -V} and lists the exit statuses in its help. */
    private static void everywhere(final CommandLine command)
    {
        command.getCommandSpec().versionProvider(new Version());
        command.getCommandSpec().usageMessage().exitCodeListHeading("%nExit status:%n").exitCodeList(EXIT_CODES);
        command.getSubcommands().values().forEach(AgentFlow::everywhere);
    }

    /**
     * Hands each command that talks to the bus this invocation's settings ({@link #busConfig()}), instead of a
     * static they would reach back for.
     */
    private CommandLine.IFactory factory()
    {
        final CommandLine.IFactory defaults = CommandLine.defaultFactory();
        return new CommandLine.IFactory()
        {
            @Override
            public <K> K create(final Class<K> type) throws Exception
            {
                if (BusOptions.class == type)
                {
                    return type.cast(new BusOptions(AgentFlow.this::busConfig));
                }
                if (io.agentflow.cli.loadgen.LoadgenCommand.class == type)
                {
                    return type.cast(new io.agentflow.cli.loadgen.LoadgenCommand(AgentFlow.this::busConfig));
                }
                if (io.agentflow.cli.loadgen.WorkerCommand.class == type)
                {
                    return type.cast(new io.agentflow.cli.loadgen.WorkerCommand(AgentFlow.this::busConfig));
                }
                return defaults.create(type);
            }
        };
    }

    /** @return the bus configuration of this invocation: environment over profile, tracing when configured. */
    BusConfig busConfig()
    {
        final BusConfig config = environment.busConfig();
        return null == openTelemetry ? config : config.openTelemetry(openTelemetry);
    }

    /** Applies --profile/--config before the subcommand runs (and before anything logs), then runs it. */
    private int run(final CommandLine.ParseResult parseResult)
    {
        try
        {
            environment = CliEnvironment.load(profile, config, System.getenv());
            environment.applyLogSettings();
            openTelemetry = environment.openTelemetry();
        }
        catch (final MessageError e)
        {
            parseResult.commandSpec().commandLine().getErr().println(FailureLine.of(e));
            return 2;
        }
        try
        {
            return new CommandLine.RunLast().execute(parseResult);
        }
        finally
        {
            if (null != openTelemetry)
            {
                openTelemetry.close();   // flushes the spans of this invocation
                openTelemetry = null;
            }
        }
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
