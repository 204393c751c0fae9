package io.huibo.deploy;

import io.huibo.Stack;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * Debian's haproxy run with the shipped {@code docker/haproxy.cfg} (the file itself, not a copy), every
 * address in it on a free loopback port given through the environment, with a self-signed certificate
 * for its TLS frontend; its log goes to a file in its own temporary directory.
 */
final class OwnHaproxy implements AutoCloseable {
    static final Path CONFIG = Path.of("docker/haproxy.cfg");

    private final Path dir;
    final int httpPort;
    final int httpsPort;
    final int agiPort;
    final int statsPort;
    private final Path pem;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private Process process;

    OwnHaproxy() throws IOException, InterruptedException {
        dir = Files.createTempDirectory("huibo-haproxy");
        httpPort = Stack.freePort();
        httpsPort = Stack.freePort();
        agiPort = Stack.freePort();
        statsPort = Stack.freePort();
        pem = dir.resolve("huibo.pem");
        Path key = dir.resolve("key.pem");
        Path cert = dir.resolve("cert.pem");
        run("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1",
                "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", key.toString(), "-out", cert.toString());
        // HAProxy wants the chain and the key in one file
        Files.writeString(pem, Files.readString(cert) + Files.readString(key));
    }

    private void run(String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(dir.resolve("openssl.log").toFile())
                .start();
        if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IllegalStateException(String.join(" ", cmd) + " failed: " + Files.readString(dir.resolve("openssl.log")));
        }
    }

    /** Starts it in front of the instances given as (HTTP port, FastAGI port), all on 127.0.0.1. */
    void start(List<int[]> instances) throws IOException, InterruptedException {
        Map<String, String> env = new HashMap<>();
        for (int i = 0; i < instances.size(); i++) {
            String n = "HUIBO" + (i + 1);
            env.put(n + "_HOST", "127.0.0.1");
            env.put(n + "_HTTP_PORT", Integer.toString(instances.get(i)[0]));
            env.put(n + "_AGI_PORT", Integer.toString(instances.get(i)[1]));
        }
        env.put("HAPROXY_HTTP_BIND", "127.0.0.1:" + httpPort);
        env.put("HAPROXY_HTTPS_BIND", "127.0.0.1:" + httpsPort);
        env.put("HAPROXY_AGI_BIND", "127.0.0.1:" + agiPort);
        env.put("HAPROXY_AGI_ALLOW", "127.0.0.1");
        env.put("HAPROXY_STATS_BIND", "127.0.0.1:" + statsPort);
        env.put("HAPROXY_TLS_PEM", pem.toString());
        ProcessBuilder pb = new ProcessBuilder("haproxy", "-f", CONFIG.toAbsolutePath().toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("haproxy.log").toFile());
        pb.environment().putAll(env);
        process = pb.start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("haproxy exited: " + log());
            }
            try {
                stats();
                return;
            } catch (IOException notYet) {
                Thread.sleep(50);
            }
        }
        throw new IllegalStateException("haproxy did not answer on its stats port: " + log());
    }

    String log() throws IOException {
        return Files.readString(dir.resolve("haproxy.log"));
    }

    /** The stats page as CSV: "backend/server" (or "frontend/FRONTEND") to its fields by column name. */
    Map<String, Map<String, String>> stats() throws IOException, InterruptedException {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + statsPort + "/stats;csv"))
                .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.ofString());
        String[] lines = r.body().split("\n");
        String[] head = lines[0].replaceFirst("^# ", "").split(",", -1);
        Map<String, Map<String, String>> out = new HashMap<>();
        for (int i = 1; i < lines.length; i++) {
            String[] f = lines[i].split(",", -1);
            if (f.length < 2) {
                continue;
            }
            Map<String, String> row = new HashMap<>();
            for (int c = 0; c < head.length && c < f.length; c++) {
                row.put(head[c], f[c]);
            }
            out.put(f[0] + "/" + f[1], row);
        }
        return out;
    }

    /** A TLS context trusting only the certificate this HAProxy presents. */
    SSLContext trust() throws Exception {
        KeyStore ks = KeyStore.getInstance(KeyStore.getDefaultType());
        ks.load(null, null);
        try (InputStream in = Files.newInputStream(dir.resolve("cert.pem"))) {
            ks.setCertificateEntry("haproxy", CertificateFactory.getInstance("X.509").generateCertificate(in));
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(ks);
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(null, tmf.getTrustManagers(), null);
        return ctx;
    }

    @Override
    public void close() throws Exception {
        if (process != null) {
            process.destroy();
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        }
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
