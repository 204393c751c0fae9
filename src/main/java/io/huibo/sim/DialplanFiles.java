package io.huibo.sim;

import io.huibo.sim.dialplan.Dialplan;
import io.huibo.sim.dialplan.DialplanException;
import io.huibo.sim.dialplan.DialplanParser;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where the simulator's dialplan comes from: the repository's dialplan/huibo.conf, which the build puts on the
 * classpath as is (pom.xml resources), or a file the user names with {@code --dialplan}. Either is checked
 * against what the simulator can run before any node starts.
 */
final class DialplanFiles {
    static final String RESOURCE = "/dialplan/huibo.conf";
    private static volatile Dialplan bundled;

    private DialplanFiles() {}

    static Dialplan bundled() {
        Dialplan d = bundled;
        if (d == null) {
            try (InputStream in = DialplanFiles.class.getResourceAsStream(RESOURCE)) {
                if (in == null) {
                    throw new DialplanException("huibo.conf is not on the classpath (" + RESOURCE + "): build with Maven");
                }
                d = parse(new String(in.readAllBytes(), StandardCharsets.UTF_8), "huibo.conf (bundled)");
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            bundled = d;
        }
        return d;
    }

    static Dialplan load(Path file) throws IOException {
        return parse(Files.readString(file, StandardCharsets.UTF_8), file.toString());
    }

    static Dialplan parse(String text, String source) {
        return DialplanParser.parse(text, source, DialplanApps.CAPABILITIES);
    }
}
