package io.huibo.sim;

import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentSkipListMap;

/**
 * One node's AstDB, as main/db.c keeps it in astdb.sqlite3: entries under the full key
 * {@code /<family>/<key>}. It belongs to the node, not to an AMI session or a call, so it survives
 * AMI reconnects and a node kill/restart as the sqlite file does. Concurrent because the control API
 * reads it from outside the node's event loop.
 */
final class AstDb {
    private final ConcurrentSkipListMap<String, String> entries = new ConcurrentSkipListMap<>();

    Optional<String> get(String family, String key) {
        return Optional.ofNullable(entries.get(fullKey(family, key)));
    }

    boolean exists(String family, String key) {
        return entries.containsKey(fullKey(family, key));
    }

    void put(String family, String key, String value) {
        entries.put(fullKey(family, key), value);
    }

    /** ast_db_del2: false when there was no such entry. */
    boolean del(String family, String key) {
        return entries.remove(fullKey(family, key)) != null;
    }

    /**
     * ast_db_deltree: the entry {@code /family/keytree} and everything below it (the whole family
     * without a key tree); returns how many went, 0 when none matched.
     */
    int delTree(String family, String keytree) {
        String prefix = keytree == null || keytree.isEmpty() ? "/" + family : fullKey(family, keytree);
        int n = 0;
        if (entries.remove(prefix) != null) {
            n++;
        }
        // Keys below the prefix sort between "prefix/" and "prefix0" ('0' follows '/').
        Map<String, String> below = entries.subMap(prefix + "/", true, prefix + "0", false);
        n += below.size();
        below.clear();
        return n;
    }

    /** Every entry by full key, in key order, for the control API. */
    Map<String, String> snapshot() {
        return java.util.Collections.unmodifiableMap(new java.util.TreeMap<>(entries));
    }

    private static String fullKey(String family, String key) {
        return "/" + family + "/" + key;
    }
}
