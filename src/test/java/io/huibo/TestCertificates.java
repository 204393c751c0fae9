package io.huibo;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * A throw-away certificate authority and a server certificate it signed, for {@code 127.0.0.1} and
 * {@code localhost}, made with the openssl command (scripts/lib/services.sh installs it) in a
 * directory of the test's: what an operator's PKI hands out, so every TLS test runs against a real
 * chain instead of a trust-all client.
 *
 * @param ca   the authority's certificate (PEM): what a client trusts
 * @param cert the server's certificate (PEM), signed by {@code ca}
 * @param key  the server's private key (PEM, PKCS#8, unencrypted)
 */
public record TestCertificates(Path ca, Path cert, Path key) {

    /** Generates a CA and a server certificate under {@code dir}, files named {@code <name>-...}. */
    public static TestCertificates create(Path dir, String name) throws IOException, InterruptedException {
        Path caKey = dir.resolve(name + "-ca.key");
        Path ca = dir.resolve(name + "-ca.pem");
        Path key = dir.resolve(name + "-server.key");
        Path csr = dir.resolve(name + "-server.csr");
        Path cert = dir.resolve(name + "-server.pem");
        Path ext = dir.resolve(name + "-server.ext");
        // P-256 keys: fast to make, and every peer here (JDK, OpenSSL in Redis and MariaDB) takes them
        openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                "-keyout", caKey.toString(), "-out", ca.toString(), "-days", "2", "-subj", "/CN=huibo test CA " + name);
        openssl("req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                "-keyout", key.toString(), "-out", csr.toString(), "-subj", "/CN=localhost");
        Files.writeString(ext, """
                basicConstraints=CA:FALSE
                keyUsage=digitalSignature,keyEncipherment
                extendedKeyUsage=serverAuth
                subjectAltName=IP:127.0.0.1,DNS:localhost
                """);
        openssl("x509", "-req", "-in", csr.toString(), "-CA", ca.toString(), "-CAkey", caKey.toString(),
                "-CAcreateserial", "-out", cert.toString(), "-days", "2", "-extfile", ext.toString());
        return new TestCertificates(ca, cert, key);
    }

    /** A JDK client context that trusts {@code ca} only (not the JVM's default authorities). */
    public static SSLContext trusting(Path ca) throws Exception {
        KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
        trust.load(null, null);
        try (InputStream in = Files.newInputStream(ca)) {
            int i = 0;
            for (var c : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
                trust.setCertificateEntry("ca" + i++, (X509Certificate) c);
            }
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(null, tmf.getTrustManagers(), null);
        return ctx;
    }

    /** Removes a test's directory of certificates (and whatever else it put there). */
    public static void delete(Path dir) throws IOException {
        if (dir == null || !Files.exists(dir)) {
            return;
        }
        try (var files = Files.walk(dir)) {
            for (Path p : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    private static void openssl(String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("openssl"));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
            p.destroyForcibly();
            throw new IllegalStateException("openssl " + String.join(" ", args) + " failed:\n" + out);
        }
    }
}
