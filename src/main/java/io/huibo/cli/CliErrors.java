package io.huibo.cli;

import picocli.CommandLine;
import picocli.CommandLine.IExecutionExceptionHandler;
import picocli.CommandLine.ParseResult;

/**
 * Turns a command's failure into one line on standard error and its exit code: an operator reads
 * "cannot reach ...", not a stack trace; anything unexpected exits 1 with its stack trace.
 */
public final class CliErrors implements IExecutionExceptionHandler {
    @Override
    public int handleExecutionException(Exception e, CommandLine cmd, ParseResult parsed) {
        if (e instanceof CliException c) {
            cmd.getErr().println("huibo: " + c.getMessage());
            return c.exitCode();
        }
        // a defect, not an operator's mistake: keep what is needed to find it
        e.printStackTrace(cmd.getErr());
        return Output.FAILED;
    }
}
