package io.huibo.config;

import io.huibo.domain.CallerPresentation;
import io.huibo.domain.PhoneNumber;

import java.time.Duration;
import java.util.List;
import java.util.Map;

/** The whole configuration of one Huibo instance, validated. See huibo.example.yaml. */
public record HuiboConfig(
        String instanceId,
        Http http,
        Agi agi,
        Redis redis,
        Db db,
        Dispatch dispatch,
        Routing routing,
        List<NodeConfig> nodes,
        Cluster cluster,
        CallerId callerId,
        Events events,
        Webhooks webhooks,
        TrunkPolicy trunkPolicy,
        DialinGuards dialinGuards,
        Contacts contacts,
        Guards guards,
        Calling calling) {

    /**
     * Whom Huibo calls.
     *
     * @param dedup one active (queued or dialing) callback per number and destination: a second request
     *              gets the first (200, header Huibo-Duplicate-Of) instead of a new one
     */
    public record Contacts(boolean dedup) {
        public static Contacts defaults() {
            return new Contacts(true);
        }
    }

    /**
     * Toll-fraud guards (README "Toll-fraud guards"): which destinations may be dialed, and how often.
     *
     * @param homeCountry        ISO region (CN) or calling code (86): a number with another country code is
     *                           international; numbers without '+' are read as national numbers of it
     * @param allow              prefixes ({@code +4930}, {@code 9}) or categories ({@code premium-rate},
     *                           {@code satellite}, {@code international}) let through
     * @param deny               prefixes refused whatever else says
     * @param numberPerMinute    requests naming one number, per minute (0: no limit); all instances together
     * @param numberPerDay       the same per UTC day
     * @param keyPerMinute       requests per API key per minute (0: no limit)
     * @param keyPerDay          the same per UTC day
     * @param attemptsPerNumberPerDay attempts started to one number per UTC day, across callbacks (0: no limit)
     * @param maxCallDuration    longest a leg may stay connected (Dial's S() option); zero: no limit
     */
    public record Guards(String homeCountry, List<String> allow, List<String> deny, int numberPerMinute,
                         int numberPerDay, int keyPerMinute, int keyPerDay, int attemptsPerNumberPerDay,
                         Duration maxCallDuration) {
        public Guards {
            allow = List.copyOf(allow);
            deny = List.copyOf(deny);
        }

        public static Guards defaults() {
            return new Guards("CN", List.of(), List.of(), 5, 50, 0, 0, 20, Duration.ofHours(1));
        }
    }

    /**
     * Retry profiles, calling windows and quiet hours (io.huibo.policy).
     *
     * @param defaultProfile for requests and keys that name none; "default" is the built-in profile of
     *                       dispatch.retry* unless {@code profiles} defines one of that name
     * @param profiles       by name, in config order
     */
    public record Calling(String defaultProfile, Map<String, io.huibo.policy.RetryProfile> profiles) {
        public Calling {
            profiles = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(profiles));
        }

        public static Calling defaults() {
            return new Calling("default", Map.of());
        }
    }

    /**
     * {@code GET /v1/events}.
     *
     * @param pollInterval how often each instance reads the new rows of callback_events (one query for all
     *                     its clients)
     * @param heartbeat    how often an idle stream gets a comment line, so proxies keep it open
     * @param gapWait      how long an id missing below visible ones is waited for before it is settled (see
     *                     store.EventTail)
     * @param maxQueued    bytes a client may leave unread before it is dropped (it resumes with Last-Event-ID)
     */
    public record Events(Duration pollInterval, Duration heartbeat, Duration gapWait, int maxQueued) {
        public static Events defaults() {
            return new Events(Duration.ofMillis(200), Duration.ofSeconds(15), Duration.ofSeconds(2), 1 << 20);
        }
    }

    /**
     * Signed webhook deliveries from the outbox.
     *
     * @param secret       HMAC-SHA256 key of the Huibo-Signature header; empty: webhooks are off (a request
     *                     naming one gets 400)
     * @param allowPrivate deliver to loopback, private and link-local addresses too (tests, closed networks)
     * @param timeout      how long one POST may take
     * @param backoffBase  delay after the first failed try; doubled after each further one up to backoffMax
     * @param maxAttempts  tries before a delivery is given up (status failed)
     */
    public record Webhooks(String secret, boolean allowPrivate, Duration pollInterval, Duration timeout,
                           Duration backoffBase, Duration backoffMax, int maxAttempts) {
        public static Webhooks defaults() {
            return new Webhooks("", false, Duration.ofMillis(250), Duration.ofSeconds(10), Duration.ofSeconds(5),
                    Duration.ofHours(1), 30);
        }

        public boolean enabled() {
            return !secret.isEmpty();
        }

        @Override
        public String toString() {
            return "Webhooks[enabled=" + enabled() + ", allowPrivate=" + allowPrivate + "]";
        }
    }

    /**
     * What the called people see as the caller (see {@code routing.CallerPresentation}).
     *
     * @param number     business number shown to a customer whose callback names no callerId; empty for none
     * @param name       caller name shown with it; empty for none
     * @param agentSees  {@code customer}: the destination sees the customer's number; {@code business}:
     *                   the business identity
     */
    public record CallerId(String number, String name, String agentSees) {
        public static CallerId defaults() {
            return new CallerId("", "", "customer");
        }

        public CallerPresentation presentation() {
            return new CallerPresentation(number.isEmpty() ? null : PhoneNumber.of(number), name,
                    "customer".equals(agentSees));
        }
    }

    /**
     * Several instances sharing the nodes.
     *
     * @param nodeLeaseTtl how long a node's ownership lasts without renewal (renewed every quarter of it):
     *                     a dead instance's nodes are taken over within about TTL + TTL/4 plus the login
     */
    public record Cluster(java.time.Duration nodeLeaseTtl) {
        public static Cluster defaults() {
            return new Cluster(java.time.Duration.ofSeconds(6));
        }
    }

    /**
     * @param apiToken   the bootstrap admin while no API key exists (io.huibo.auth.ApiKeys); never stored
     * @param drainDelay on a stop, how long HTTP keeps serving after /health/ready turned 503 (a load
     *                   balancer's checks must see that first)
     * @param tls        HTTPS instead of HTTP when enabled (the same port)
     */
    public record Http(String host, int port, String apiToken, java.time.Duration drainDelay, ServerTls tls) {
        @Override
        public String toString() {
            return "Http[host=" + host + ", port=" + port + ", drainDelay=" + drainDelay + ", tls=" + tls.enabled() + "]";
        }
    }

    /**
     * A server's certificate chain and private key, PEM files read at start; both empty: no TLS.
     *
     * @param certFile the server's certificate first, then any intermediates
     */
    public record ServerTls(String certFile, String keyFile) {
        public static ServerTls off() {
            return new ServerTls("", "");
        }

        public boolean enabled() {
            return !certFile.isEmpty();
        }
    }

    /**
     * @param advertiseHost address Asterisk uses to reach this instance; passed in each Originate as HUIBO_AGI=host:port
     * @param allow         CIDRs or addresses allowed to connect; empty means loopback and the nodes
     */
    public record Agi(String host, int port, String advertiseHost, List<String> allow, Duration idleTimeout) {
    }

    /**
     * @param cluster   {@code uri} names seed nodes of a Redis Cluster ({@code redis://h1:p1,h2:p2})
     * @param tlsCaFile for a {@code rediss://} URI: the PEM authorities to trust instead of the JVM's; empty: the JVM's
     */
    public record Redis(String uri, String keyPrefix, boolean cluster, String tlsCaFile) {
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
     * @param shutdownGrace    on stop, how long calls in progress may take to get their leg B route (or
     *                         end) before they are handed to their node's next owner
     * @param unreachableTimeout an attempt on a node nobody can ask for this long is closed with an
     *                         unknown outcome
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
            String connectContext,
            Duration shutdownGrace,
            Duration unreachableTimeout) {
    }

    /**
     * @param legA           static route of leg A, used while the database holds no route; a template
     *                       holds {number}, replaced by the validated number only
     * @param tableA         route table for leg A (routing.tableA); tableB likewise
     * @param reloadInterval how often each instance checks the routing tables' version
     * @param maxChoices     at most this many failover choices per leg (each holds a trunk slot)
     */
    public record Routing(String legA, String legB, String tableA, String tableB, Duration reloadInterval,
                          int maxChoices) {
        /** Static routes only: table "default" for both legs, reloaded every 2 s, up to 3 choices. */
        public Routing(String legA, String legB) {
            this(legA, legB, "default", "default", Duration.ofSeconds(2), 3);
        }
    }

    /**
     * What a trunk's dial template may point at (io.huibo.routing.TrunkPolicy), so that a key with the
     * {@code routing} scope cannot send calls to an arbitrary SIP host or dialplan context. The static
     * routes of {@code routing.legA}/{@code routing.legB} are the operator's own: whatever they name is
     * allowed besides these lists.
     *
     * @param technologies channel technologies (case-insensitive), e.g. PJSIP, Local
     * @param endpoints    endpoint, peer or host names a template may name; {@code *} matches any run of
     *                     characters (e.g. {@code carrier-*}, {@code *.sip.example.net})
     * @param contexts     dialplan contexts a {@code Local/...@context} template may name ({@code *} as above)
     */
    public record TrunkPolicy(List<String> technologies, List<String> endpoints, List<String> contexts) {
        public TrunkPolicy {
            technologies = List.copyOf(technologies);
            endpoints = List.copyOf(endpoints);
            contexts = List.copyOf(contexts);
        }

        public static TrunkPolicy defaults() {
            return new TrunkPolicy(List.of("PJSIP", "Local"), List.of(), List.of());
        }
    }

    /**
     * Who may ask for a callback by calling in (io.huibo.service.DialinService).
     *
     * @param accessNumbers         the numbers (the extension the caller dialed) that lead to the dial-in
     *                              hook; empty: any
     * @param maxWrongPins          wrong PINs of one caller ID within {@code pinWindow} before it is locked out
     * @param pinWindow             how long a wrong PIN counts
     * @param lockout               how long a locked-out caller is refused, even with the right PIN
     * @param allowOtherDestination a caller with a stored destination may key in another one
     */
    public record DialinGuards(List<String> accessNumbers, int maxWrongPins, Duration pinWindow, Duration lockout,
                               boolean allowOtherDestination) {
        public DialinGuards {
            accessNumbers = List.copyOf(accessNumbers);
        }

        public static DialinGuards defaults() {
            return new DialinGuards(List.of(), 3, Duration.ofMinutes(15), Duration.ofMinutes(30), false);
        }
    }
}
