package io.huibo.webhooks;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.util.Locale;
import java.util.Optional;

/**
 * Which webhook URLs Huibo posts to: http or https only, with a host and no user info, and (unless
 * {@code allowPrivate}) never to an address of this machine or of a private network (loopback, private
 * ranges, link-local, unique-local, carrier-grade NAT, unspecified, multicast), so a request cannot
 * make Huibo reach services behind its firewall. Checked on the URL at submit, and on every address the
 * host resolves to at each delivery (a name can be pointed elsewhere after the submit); the delivery
 * then connects to the address that was checked.
 */
public final class WebhookUrls {
    public static final int MAX_LENGTH = 2000;

    private final boolean allowPrivate;

    public WebhookUrls(boolean allowPrivate) {
        this.allowPrivate = allowPrivate;
    }

    /** The URL's problem at submit, or empty if it may be stored. Does no DNS lookup (event loop). */
    public Optional<String> problem(String url) {
        if (url.length() > MAX_LENGTH) {
            return Optional.of("must be at most " + MAX_LENGTH + " characters");
        }
        URI uri;
        try {
            uri = new URI(url);
        } catch (URISyntaxException e) {
            return Optional.of("is not a valid URL");
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            return Optional.of("must be an http or https URL");
        }
        if (uri.getHost() == null || uri.getHost().isEmpty()) {
            return Optional.of("must name a host");
        }
        if (uri.getRawUserInfo() != null) {
            return Optional.of("must not hold a user name or password");
        }
        if (uri.getRawFragment() != null) {
            return Optional.of("must not have a fragment");
        }
        if (allowPrivate) {
            return Optional.empty();
        }
        String host = host(uri);
        if (host.equals("localhost") || host.endsWith(".localhost")) {
            return Optional.of("must not point at this machine (localhost)");
        }
        if (isLiteral(host)) {
            try {
                InetAddress a = InetAddress.getByName(host);
                if (blocked(a)) {
                    return Optional.of("must not point at a loopback, private or link-local address: " + host);
                }
            } catch (UnknownHostException e) {
                return Optional.of("has an invalid address: " + host);
            }
        }
        return Optional.empty();
    }

    /** Whether a delivery may connect to {@code address} (one the URL's host resolved to). */
    public boolean allowed(InetAddress address) {
        return allowPrivate || !blocked(address);
    }

    /** The host of a URL as Java's resolver takes it (IPv6 literal without brackets), lower case. */
    public static String host(URI uri) {
        String h = uri.getHost().toLowerCase(Locale.ROOT);
        return h.startsWith("[") && h.endsWith("]") ? h.substring(1, h.length() - 1) : h;
    }

    private static boolean isLiteral(String host) {
        return host.contains(":") || host.matches("[0-9.]+");
    }

    static boolean blocked(InetAddress a) {
        if (a.isLoopbackAddress() || a.isAnyLocalAddress() || a.isLinkLocalAddress() || a.isSiteLocalAddress()
                || a.isMulticastAddress()) {
            return true;
        }
        byte[] b = a.getAddress();
        if (a instanceof Inet4Address) {
            int first = b[0] & 0xff;
            int second = b[1] & 0xff;
            return first == 0                                    // "this network"
                    || (first == 100 && second >= 64 && second < 128) // carrier-grade NAT
                    || (first == 192 && second == 0 && (b[2] & 0xff) == 0) // IETF protocol assignments
                    || (first == 198 && (second == 18 || second == 19)) // benchmarking
                    || first >= 240;                             // reserved, broadcast
        }
        if (a instanceof Inet6Address) {
            int first = b[0] & 0xff;
            if ((first & 0xfe) == 0xfc) {                         // unique local fc00::/7
                return true;
            }
            boolean v4Mapped = true;
            for (int i = 0; i < 10; i++) {
                v4Mapped &= b[i] == 0;
            }
            if (v4Mapped && (b[10] & 0xff) == 0xff && (b[11] & 0xff) == 0xff) {
                try {
                    return blocked(InetAddress.getByAddress(new byte[] {b[12], b[13], b[14], b[15]}));
                } catch (UnknownHostException e) {
                    return true;
                }
            }
        }
        return false;
    }
}
