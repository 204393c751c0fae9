package io.huibo.config;

/**
 * One Asterisk node reached over AMI.
 *
 * @param maxCalls               concurrent callback attempts Huibo may run on it
 * @param maxOriginatesPerSecond Originates per second at most (token bucket); lowered automatically
 *                               while the node answers with errors or timeouts
 * @param weight                 share of the load relative to other nodes (least-loaded choice divides
 *                               the load by it); 1 by default
 * @param tls                    AMI over TLS (Asterisk's tlsenable port); the node's certificate must name
 *                               {@code host}
 * @param tlsCaFile              with tls: PEM of the authorities to trust; empty: the JVM's
 */
public record NodeConfig(String id, String host, int amiPort, String user, String secret, int maxCalls,
                         int maxOriginatesPerSecond, double weight, boolean tls, String tlsCaFile) {

    public static final int DEFAULT_MAX_ORIGINATES_PER_SECOND = 20;

    public NodeConfig(String id, String host, int amiPort, String user, String secret, int maxCalls) {
        this(id, host, amiPort, user, secret, maxCalls, DEFAULT_MAX_ORIGINATES_PER_SECOND, 1.0, false, "");
    }

    @Override
    public String toString() {
        // never print the secret
        return "NodeConfig[id=" + id + ", host=" + host + ", amiPort=" + amiPort + ", user=" + user
                + ", maxCalls=" + maxCalls + ", maxOriginatesPerSecond=" + maxOriginatesPerSecond
                + ", weight=" + weight + ", tls=" + tls + "]";
    }
}
