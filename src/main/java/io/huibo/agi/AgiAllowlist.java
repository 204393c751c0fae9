package io.huibo.agi;

import io.huibo.config.NodeConfig;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;

/**
 * Which peers may open a FastAGI session. FastAGI has no authentication at all: anyone who can
 * connect can ask for dial strings of callbacks, so the address is the only gate.
 *
 * <p>Rules: an IPv4 address ({@code 10.0.0.5}), an IPv4 CIDR ({@code 10.0.0.0/24}), an IPv6 literal
 * (exact match), or a host name, resolved once when the list is built (at startup, never per
 * connection). Matching an IPv4 peer is a few integer operations, no allocation besides parsing the
 * peer's dotted quad.
 */
public final class AgiAllowlist {

    private final int[] nets;    // IPv4 network addresses
    private final int[] masks;   // matching masks
    private final byte[][] v6;   // exact IPv6 addresses
    private final boolean allowLoopback;
    private final List<String> rules;

    private AgiAllowlist(int[] nets, int[] masks, byte[][] v6, boolean allowLoopback, List<String> rules) {
        this.nets = nets;
        this.masks = masks;
        this.v6 = v6;
        this.allowLoopback = allowLoopback;
        this.rules = rules;
    }

    /**
     * The allowlist from configuration: {@code agi.allow} if it has entries, exactly those;
     * otherwise loopback plus the hosts of the configured Asterisk nodes (the brief's default).
     * May resolve host names: call at startup, not on an event loop.
     *
     * @throws IllegalArgumentException naming the first rule that cannot be read or resolved
     */
    public static AgiAllowlist fromConfig(Collection<String> allow, Collection<String> nodeHosts) {
        if (allow != null && !allow.isEmpty()) {
            return of(allow, false);
        }
        return of(nodeHosts == null ? List.of() : nodeHosts, true);
    }

    /** {@link #fromConfig} with the hosts of the configured nodes (the wiring in boot.Instance). */
    public static AgiAllowlist of(List<String> allow, List<NodeConfig> nodes) {
        return fromConfig(allow, nodes == null ? List.of() : nodes.stream().map(NodeConfig::host).toList());
    }

    /** @param allowLoopback also accept 127.0.0.0/8 and ::1 */
    public static AgiAllowlist of(Collection<String> rules, boolean allowLoopback) {
        List<Integer> n = new ArrayList<>();
        List<Integer> m = new ArrayList<>();
        List<byte[]> six = new ArrayList<>();
        for (String raw : rules) {
            String r = raw.trim();
            if (r.isEmpty()) {
                continue;
            }
            int slash = r.indexOf('/');
            if (slash >= 0) {
                long ip = parseIpv4(r.substring(0, slash));
                int bits;
                try {
                    bits = Integer.parseInt(r.substring(slash + 1));
                } catch (NumberFormatException e) {
                    bits = -1;
                }
                if (ip == BAD || bits < 0 || bits > 32) {
                    throw new IllegalArgumentException("agi.allow: not an IPv4 CIDR: " + r);
                }
                int mask = bits == 0 ? 0 : (int) (0xffffffffL << (32 - bits));
                n.add((int) ip & mask);
                m.add(mask);
                continue;
            }
            long ip = parseIpv4(r);
            if (ip != BAD) {
                n.add((int) ip);
                m.add(-1);
                continue;
            }
            InetAddress[] all;
            try {
                all = InetAddress.getAllByName(r);
            } catch (UnknownHostException e) {
                throw new IllegalArgumentException("agi.allow: cannot resolve " + r);
            }
            for (InetAddress a : all) {
                if (a instanceof Inet4Address) {
                    n.add(toInt(a.getAddress()));
                    m.add(-1);
                } else {
                    six.add(a.getAddress());
                }
            }
        }
        int[] na = n.stream().mapToInt(Integer::intValue).toArray();
        int[] ma = m.stream().mapToInt(Integer::intValue).toArray();
        List<String> desc = new ArrayList<>();
        if (allowLoopback) {
            desc.add("loopback");
        }
        for (String r : rules) {
            if (!r.isBlank()) {
                desc.add(r.trim());
            }
        }
        return new AgiAllowlist(na, ma, six.toArray(new byte[0][]), allowLoopback, List.copyOf(desc));
    }

    /** @param host the peer's numeric address as Vert.x reports it ({@code SocketAddress.hostAddress()}) */
    public boolean allows(String host) {
        if (host == null || host.isEmpty()) {
            return false;
        }
        String h = host;
        if (h.startsWith("::ffff:") && h.indexOf('.') > 0) {
            h = h.substring(7); // IPv4-mapped IPv6, as seen on dual-stack listeners
        }
        long parsed = parseIpv4(h);
        if (parsed != BAD) {
            int ip = (int) parsed;
            if (allowLoopback && (ip >>> 24) == 127) {
                return true;
            }
            for (int i = 0; i < nets.length; i++) {
                if ((ip & masks[i]) == nets[i]) {
                    return true;
                }
            }
            return false;
        }
        if (h.indexOf(':') < 0) {
            return false; // not numeric: never resolve names per connection
        }
        byte[] addr;
        try {
            int pct = h.indexOf('%');
            addr = InetAddress.getByName(pct > 0 ? h.substring(0, pct) : h).getAddress(); // literal: no DNS
        } catch (UnknownHostException e) {
            return false;
        }
        if (allowLoopback && isV6Loopback(addr)) {
            return true;
        }
        for (byte[] a : v6) {
            if (Arrays.equals(a, addr)) {
                return true;
            }
        }
        return false;
    }

    public List<String> rules() {
        return rules;
    }

    @Override
    public String toString() {
        return "AgiAllowlist" + rules;
    }

    private static final long BAD = -1L;

    /** Dotted quad to its 32 bits (as a non-negative long), or -1. Exactly four decimal parts 0-255. */
    static long parseIpv4(String s) {
        int parts = 0;
        int cur = -1;
        int val = 0;
        int digits = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c >= '0' && c <= '9') {
                cur = (cur < 0 ? 0 : cur * 10) + (c - '0');
                if (++digits > 3 || cur > 255) {
                    return BAD;
                }
            } else if (c == '.') {
                if (cur < 0 || parts == 3) {
                    return BAD;
                }
                val = (val << 8) | cur;
                parts++;
                cur = -1;
                digits = 0;
            } else {
                return BAD;
            }
        }
        if (cur < 0 || parts != 3) {
            return BAD;
        }
        return ((val << 8) | cur) & 0xffffffffL;
    }

    private static int toInt(byte[] b) {
        return ((b[0] & 0xff) << 24) | ((b[1] & 0xff) << 16) | ((b[2] & 0xff) << 8) | (b[3] & 0xff);
    }

    private static boolean isV6Loopback(byte[] a) {
        if (a.length != 16) {
            return false;
        }
        for (int i = 0; i < 15; i++) {
            if (a[i] != 0) {
                return false;
            }
        }
        return a[15] == 1;
    }
}
