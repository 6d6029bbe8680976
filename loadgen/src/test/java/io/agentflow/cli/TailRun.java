package io.agentflow.cli;

import io.agentflow.testsupport.Await;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** {@code agentflow tail} running in this JVM, started and waited for until it watches (or has already ended). */
final class TailRun
{
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();
    private final CompletableFuture<Integer> exit;

    private TailRun(final String... args)
    {
        exit = CompletableFuture.supplyAsync(() -> AgentFlow.commandLine().setOut(new PrintWriter(out, true))
            .setErr(new PrintWriter(err, true)).execute(args));
    }

    static TailRun start(final String... args)
    {
        final TailRun run = new TailRun(args);
        Await.until(Duration.ofSeconds(20), () -> run.err().contains("watching") || run.exit.isDone(),
            () -> "tail to subscribe; stderr: " + run.err());
        return run;
    }

    int exitCode() throws Exception
    {
        return exit.get(60, TimeUnit.SECONDS);
    }

    String out()
    {
        return out.toString();
    }

    String err()
    {
        return err.toString();
    }
}
