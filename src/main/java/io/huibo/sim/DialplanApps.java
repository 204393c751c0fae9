package io.huibo.sim;

import io.huibo.sim.dialplan.Capabilities;
import io.huibo.sim.dialplan.DialplanException;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/** The applications the simulator runs, by name as Asterisk registers them (names are case-insensitive). */
final class DialplanApps {
    record Entry(String name, App app) {}

    private static final Map<String, Entry> APPS = new HashMap<>();

    static {
        add("Set", ControlApps::set);
        add("Goto", ControlApps::gotoApp);
        add("GotoIf", ControlApps::gotoIf);
        add("Gosub", ControlApps::gosub);
        add("Return", ControlApps::ret);
        add("ExecIf", ControlApps::execIf);
        add("AGI", new AgiApp());
        add("Dial", new DialApp());
        add("Answer", MediaApps::answer);
        add("Playback", MediaApps::playback);
        add("Read", MediaApps::read);
        add("Busy", (run, data) -> SignalApps.indicate(run, data, 17));
        add("Congestion", (run, data) -> SignalApps.indicate(run, data, 34));
        add("Hangup", SignalApps::hangup);
        add("DBdeltree", DialplanFunctions::dbDeltree);
    }

    /** What the parser checks a file against. */
    static final Capabilities CAPABILITIES = new Capabilities() {
        @Override
        public boolean hasApp(String name) {
            return APPS.containsKey(name.toLowerCase(Locale.ROOT));
        }

        @Override
        public boolean hasFunction(String name) {
            return DialplanFunctions.has(name);
        }

        @Override
        public boolean hasDialOption(char option) {
            return DialApp.OPTIONS.indexOf(option) >= 0;
        }
    };

    private DialplanApps() {}

    private static void add(String name, App app) {
        APPS.put(name.toLowerCase(Locale.ROOT), new Entry(name, app));
    }

    static Entry get(String name) {
        Entry e = APPS.get(name.toLowerCase(Locale.ROOT));
        if (e == null) {
            throw new DialplanException("unknown application '" + name + "'"); // the parser let it through: a bug
        }
        return e;
    }
}
