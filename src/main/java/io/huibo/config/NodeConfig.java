package io.huibo.config;

/**
 * One Asterisk node reached over AMI.
 *
 * @param maxCalls concurrent callback attempts Huibo may run on it
 */
public record NodeConfig(String id, String host, int amiPort, String user, String secret, int maxCalls) {
    @Override
    public String toString() {
        // never print the secret
        return "NodeConfig[id=" + id + ", host=" + host + ", amiPort=" + amiPort + ", user=" + user
                + ", maxCalls=" + maxCalls + "]";
    }
}
