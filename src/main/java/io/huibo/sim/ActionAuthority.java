package io.huibo.sim;

import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The classes each AMI action is registered with (ast_manager_register_xml_core in main/manager.c and
 * main/db.c). manager.c runs an action when the user's write classes share one of them with it, or when
 * it has none; otherwise it answers "Permission denied".
 */
final class ActionAuthority {
    private static final Map<String, Set<String>> REGISTERED = Map.ofEntries(
        Map.entry("ping", Set.of()),
        Map.entry("events", Set.of()),
        Map.entry("logoff", Set.of()),
        Map.entry("login", Set.of()),
        Map.entry("challenge", Set.of()),
        Map.entry("hangup", Set.of("system", "call")),
        Map.entry("status", Set.of("system", "call", "reporting")),
        Map.entry("originate", Set.of("originate")),
        Map.entry("coresettings", Set.of("system", "reporting")),
        Map.entry("coreshowchannels", Set.of("system", "reporting")),
        Map.entry("dbget", Set.of("system", "reporting")),
        Map.entry("dbput", Set.of("system")),
        Map.entry("dbdel", Set.of("system")),
        Map.entry("dbdeltree", Set.of("system")));

    private ActionAuthority() {
    }

    /** Whether the simulator knows the action at all (unknown ones get "Invalid/unknown command"). */
    static boolean known(String action) {
        return REGISTERED.containsKey(action.toLowerCase(Locale.ROOT));
    }

    /** {@code writeClasses}: the user's write classes, null for all. */
    static boolean permits(Set<String> writeClasses, String action) {
        Set<String> needed = REGISTERED.get(action.toLowerCase(Locale.ROOT));
        if (needed == null || needed.isEmpty() || writeClasses == null) {
            return needed != null;
        }
        for (String c : needed) {
            if (writeClasses.contains(c)) {
                return true;
            }
        }
        return false;
    }
}
