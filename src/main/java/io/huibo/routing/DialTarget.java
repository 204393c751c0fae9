package io.huibo.routing;

import java.util.Locale;

/**
 * What a {@link DialTemplate} points at, read the way Asterisk reads the dial string:
 * <ul>
 * <li>{@code PJSIP/{number}@trunk}, {@code SIP/{number}@peer}: the part after the last {@code @} is the
 *     endpoint (peer, or a host for chan_sip);</li>
 * <li>{@code SIP/peer/{number}}, {@code IAX2/peer/{number}}: the part before the first {@code /} is the
 *     endpoint, the rest the extension;</li>
 * <li>{@code PJSIP/endpoint/sip:{number}@host:5060}: endpoint, then a URI whose host is dialed directly:
 *     {@link #host()} names it;</li>
 * <li>{@code Local/{number}@context/n}: {@link #context()} is the dialplan context (options after it).</li>
 * </ul>
 * An endpoint, host or context that holds the {@code {number}} would let the number choose where the
 * call goes, so {@link #of} refuses it.
 *
 * @param technology as written (compare without case: Asterisk does)
 * @param endpoint   the endpoint, peer or host; null for Local
 * @param host       the host of a URI or of {@code extension@host} after the endpoint; null when none
 * @param context    the context of a Local channel; null for other technologies
 */
public record DialTarget(String technology, String endpoint, String host, String context) {

    public boolean local() {
        return technology.equalsIgnoreCase("Local");
    }

    /** @throws IllegalArgumentException naming the part that cannot be told */
    public static DialTarget of(DialTemplate template) {
        String t = template.template();
        int slash = t.indexOf('/');
        String tech = t.substring(0, slash);
        String resource = t.substring(slash + 1);
        if (tech.toLowerCase(Locale.ROOT).equals("local")) {
            // Local/<exten>@<context>[/options]
            int at = resource.lastIndexOf('@');
            if (at < 0) {
                throw new IllegalArgumentException("a Local template must name its context: Local/{number}@context");
            }
            String exten = resource.substring(0, at);
            String rest = resource.substring(at + 1);
            int opt = rest.indexOf('/');
            String context = opt < 0 ? rest : rest.substring(0, opt);
            if (exten.contains("/")) {
                throw new IllegalArgumentException("a Local template is Local/{number}@context[/options]");
            }
            return new DialTarget(tech, null, null, named("context", context));
        }
        int inner = resource.indexOf('/');
        if (inner >= 0) {
            // endpoint/<extension or URI>
            String endpoint = resource.substring(0, inner);
            String rest = resource.substring(inner + 1);
            int at = rest.lastIndexOf('@');
            String host = at < 0 ? null : hostOf(rest.substring(at + 1));
            if (tech.equalsIgnoreCase("PJSIP") && (host == null || !rest.toLowerCase(Locale.ROOT).matches("sips?:.*"))) {
                // chan_pjsip reads what follows the endpoint as the request URI
                throw new IllegalArgumentException("after PJSIP/endpoint/ comes a URI sip:{number}@host");
            }
            return new DialTarget(tech, named("endpoint", hostOf(userless(endpoint))), host == null ? null
                    : named("host", host), null);
        }
        int at = resource.lastIndexOf('@');
        String endpoint = at < 0 ? resource : resource.substring(at + 1);
        return new DialTarget(tech, named("endpoint", hostOf(endpoint)), null, null);
    }

    /** {@code user:secret@peer} (IAX2) is the peer. */
    private static String userless(String s) {
        int at = s.lastIndexOf('@');
        return at < 0 ? s : s.substring(at + 1);
    }

    /** Without {@code :port} and anything after it. */
    private static String hostOf(String s) {
        int colon = s.indexOf(':');
        return colon < 0 ? s : s.substring(0, colon);
    }

    private static String named(String part, String value) {
        if (value.isEmpty()) {
            throw new IllegalArgumentException("the " + part + " is empty");
        }
        if (value.contains(DialTemplate.PLACEHOLDER)) {
            throw new IllegalArgumentException("the " + part + " may not contain " + DialTemplate.PLACEHOLDER
                    + ": the number would choose where the call goes");
        }
        return value;
    }
}
