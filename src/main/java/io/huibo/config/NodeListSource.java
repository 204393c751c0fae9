package io.huibo.config;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The node list read again from where the configuration came from (the file, if any, and the
 * environment), for {@code POST /v1/admin/reload} and SIGHUP. Blocking: runs on a worker thread.
 */
public final class NodeListSource implements Supplier<List<NodeConfig>> {
    private final Path file;
    private final Map<String, String> env;

    /** @param file the YAML configuration; null: defaults and the environment only */
    public NodeListSource(Path file, Map<String, String> env) {
        this.file = file;
        this.env = env;
    }

    @Override
    public List<NodeConfig> get() {
        return ConfigLoader.load(file, env).nodes();
    }
}
