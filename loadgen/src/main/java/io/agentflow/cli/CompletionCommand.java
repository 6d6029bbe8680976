package io.agentflow.cli;

import picocli.AutoComplete;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

import java.util.concurrent.Callable;

/**
 * {@code agentflow completion}: prints a bash (and zsh, through bashcompinit) completion script for every command and
 * option, generated from the command line itself so that it cannot fall behind.
 */
@Command(name = "completion", mixinStandardHelpOptions = true,
    description = {"Print a bash/zsh completion script: source <(agentflow completion)."})
final class CompletionCommand implements Callable<Integer>
{
    @Spec
    CommandSpec spec;

    @Override
    public Integer call()
    {
        spec.commandLine().getOut().print(AutoComplete.bash("agentflow", spec.root().commandLine()));
        spec.commandLine().getOut().flush();
        return 0;
    }
}
