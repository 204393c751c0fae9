package io.huibo.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code huibo admin reload}: what an administrator does to a running cluster; exit codes as {@link Output}. */
@Command(name = "admin", mixinStandardHelpOptions = true, description = "Administer the running cluster.",
        subcommands = {AdminCommand.Reload.class})
public final class AdminCommand implements Runnable {

    @Override
    public void run() {
        new picocli.CommandLine(this).usage(System.out);
    }

    @Command(name = "reload", mixinStandardHelpOptions = true,
            description = "Read the configuration again on every instance and apply its node list "
                    + "(added nodes join, removed ones drain first); a file that does not load changes nothing.")
    static final class Reload implements Callable<Integer> {
        @Mixin
        ApiOptions api;

        @Override
        public Integer call() throws Exception {
            return api.out().object(api.client().send("POST", "/v1/admin/reload", null, null));
        }
    }
}
