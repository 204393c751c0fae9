package io.huibo.cli;

import io.vertx.core.json.JsonArray;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/** {@code huibo nodes list|drain|resume}: the Asterisk nodes as the cluster sees them; exit codes as {@link Output}. */
@Command(name = "nodes", mixinStandardHelpOptions = true, description = "List, drain or resume Asterisk nodes.",
        subcommands = {NodesCommand.ListNodes.class, NodesCommand.Drain.class, NodesCommand.Resume.class})
public final class NodesCommand implements Runnable {
    static final List<Table.Column> COLUMNS = List.of(
            Table.Column.of("id"), Table.Column.of("state"), Table.Column.of("owner"),
            new Table.Column("calls", n -> n.getValue("active") == null ? null : n.getValue("active") + "/" + n.getValue("maxCalls")),
            new Table.Column("originates/s", n -> n.getValue("originateRate")),
            Table.Column.of("draining"), Table.Column.of("removing"), Table.Column.of("lastError"));

    @Override
    public void run() {
        new picocli.CommandLine(this).usage(System.out);
    }

    static boolean validNodeId(String id) {
        if (id.matches("[A-Za-z0-9_.-]{1,64}")) {
            return true;
        }
        System.err.println("huibo: not a node id: " + id);
        return false;
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "List the nodes, their owners and load.")
    static final class ListNodes implements Callable<Integer> {
        @Mixin
        ApiOptions api;

        @Override
        public Integer call() throws Exception {
            return api.out().table(api.client().send("GET", "/v1/nodes", null, null), JsonArray::new, COLUMNS);
        }
    }

    /** Sets or clears a node's drain flag and shows the node as it is then. */
    abstract static class Flag implements Callable<Integer> {
        @Mixin
        ApiOptions api;
        @Parameters(paramLabel = "NODE", description = "the node's id (see huibo nodes list)")
        String id;

        abstract String action();

        @Override
        public Integer call() throws Exception {
            if (!validNodeId(id)) {
                return Output.INVALID;
            }
            String path = "/v1/nodes/" + URLEncoder.encode(id, StandardCharsets.UTF_8) + "/" + action();
            return api.out().object(api.client().send("POST", path, null, null));
        }
    }

    @Command(name = "drain", mixinStandardHelpOptions = true,
            description = "No new calls on the node (whichever instance owns it); calls up there finish.")
    static final class Drain extends Flag {
        @Override
        String action() {
            return "drain";
        }
    }

    @Command(name = "resume", mixinStandardHelpOptions = true, description = "The node takes new calls again.")
    static final class Resume extends Flag {
        @Override
        String action() {
            return "resume";
        }
    }
}
