package io.huibo.config;

import java.time.Duration;
import java.util.List;

/** The whole configuration of one Huibo instance, validated. See huibo.example.yaml. */
public record HuiboConfig(
        String instanceId,
        Http http,
        Agi agi,
        Redis redis,
        Db db,
        Dispatch dispatch,
        Routing routing,
        List<NodeConfig> nodes) {

    /** @param apiToken bootstrap API token; stored hashed in MariaDB at start */
    public record Http(String host, int port, String apiToken) {
        @Override
        public String toString() {
            return "Http[host=" + host + ", port=" + port + "]";
        }
    }

    /**
     * @param advertiseHost address Asterisk uses to reach this instance; passed in each Originate as HUIBO_AGI=host:port
     * @param allow         CIDRs or addresses allowed to connect; empty means loopback and the nodes
     */
    public record Agi(String host, int port, String advertiseHost, List<String> allow, Duration idleTimeout) {
    }

    public record Redis(String uri, String keyPrefix) {
    }

    public record Db(String url, String user, String password, int poolSize) {
        @Override
        public String toString() {
            return "Db[url=" + url + ", user=" + user + ", poolSize=" + poolSize + "]";
        }
    }

    /**
     * @param leaseTtl         how long a claim holds a callback before another instance may take it
     * @param originateTimeout how long leg A may ring (Originate Timeout)
     * @param actionTimeout    how long to wait for an AMI response before treating the action as failed
     */
    public record Dispatch(
            Duration pollInterval,
            int claimBatch,
            Duration leaseTtl,
            Duration originateTimeout,
            Duration actionTimeout,
            Duration retryBusy,
            Duration retryNoAnswer,
            Duration retryCongestion,
            Duration retryFailed,
            String context,
            String connectContext) {
    }

    /**
     * Static routes, one per leg, until the routing strategies arrive. A template holds
     * {number}, replaced by the validated number only.
     */
    public record Routing(String legA, String legB) {
    }
}
