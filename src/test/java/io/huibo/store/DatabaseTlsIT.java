package io.huibo.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.huibo.Stack;
import io.huibo.TestCertificates;
import io.huibo.config.HuiboConfig;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The store on a MariaDB that takes encrypted connections only ({@code require_secure_transport}): a
 * mariadbd of the test's own on a free loopback port, with a fresh data directory and the test's
 * certificate. TLS is asked for in the JDBC URL ({@code sslMode=verify-full&serverSslCert=<ca>}).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DatabaseTlsIT {
    private static final String USER = "huibo_tls";
    private static final String PASSWORD = "tls-it-password";
    private Path dir;
    private TestCertificates certs;
    private Process mariadbd;
    private int port;

    @BeforeAll
    void up() throws Exception {
        dir = Files.createTempDirectory("huibo-db-tls");
        certs = TestCertificates.create(dir, "db");
        Path data = dir.resolve("data");
        // --no-defaults: nothing from the machine's /etc/mysql (its port, socket or datadir)
        run(List.of("mariadb-install-db", "--no-defaults", "--datadir=" + data, "--user=root",
                "--auth-root-authentication-method=socket", "--skip-test-db"));
        port = Stack.freePort();
        Path socket = dir.resolve("sock");
        mariadbd = new ProcessBuilder("mariadbd", "--no-defaults", "--datadir=" + data, "--user=root",
                "--bind-address=127.0.0.1", "--port=" + port, "--socket=" + socket, "--pid-file=" + dir.resolve("pid"),
                "--innodb-buffer-pool-size=32M", "--ssl-cert=" + certs.cert(), "--ssl-key=" + certs.key(),
                "--ssl-ca=" + certs.ca(), "--require-secure-transport=ON")
                .redirectErrorStream(true).redirectOutput(dir.resolve("mariadbd.log").toFile()).start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!Files.exists(socket)) {
            if (!mariadbd.isAlive() || System.nanoTime() > deadline) {
                throw new IllegalStateException("mariadbd did not start:\n" + Files.readString(dir.resolve("mariadbd.log")));
            }
            Thread.sleep(100);
        }
        // the unix socket counts as secure transport; root logs in through it only
        run(List.of("mariadb", "--no-defaults", "-uroot", "--socket=" + socket, "-e",
                "CREATE USER '" + USER + "'@'127.0.0.1' IDENTIFIED BY '" + PASSWORD + "'; "
                        + "GRANT ALL PRIVILEGES ON `huibo%`.* TO '" + USER + "'@'127.0.0.1';"));
    }

    private static void run(List<String> cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            p.destroyForcibly();
            throw new IllegalStateException(String.join(" ", cmd) + " failed:\n" + out);
        }
    }

    @AfterAll
    void down() throws Exception {
        if (mariadbd != null) {
            mariadbd.destroyForcibly();
            mariadbd.waitFor(20, TimeUnit.SECONDS);
        }
        TestCertificates.delete(dir);
    }

    private HuiboConfig.Db db(String query) {
        return new HuiboConfig.Db("jdbc:mariadb://127.0.0.1:" + port + "/huibo_tls" + query, USER, PASSWORD, 2);
    }

    @Test
    void verifyFullConnectsEncryptedAndMigrates() throws Exception {
        try (Database db = Database.open(db("?sslMode=verify-full&serverSslCert=" + certs.ca()));
             Connection c = db.dataSource().getConnection(); Statement s = c.createStatement()) {
            try (ResultSet rs = s.executeQuery("SHOW SESSION STATUS LIKE 'Ssl_cipher'")) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getString(2)).as("the session's cipher").isNotBlank();
            }
            try (ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM callbacks")) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getLong(1)).isZero();
            }
        }
    }

    @Test
    void withoutTlsTheServerRefuses() {
        assertThatThrownBy(() -> Database.open(db("")).close())
                .isInstanceOf(StoreUnavailableException.class)
                // MariaDB 10.11 answers a login over an unencrypted connection as a wrong password (1045)
                .hasMessage("MariaDB refused user " + USER + ": Access denied");
    }

    @Test
    void anotherAuthorityIsRefused() throws Exception {
        TestCertificates other = TestCertificates.create(dir, "other");
        assertThatThrownBy(() -> Database.open(db("?sslMode=verify-full&serverSslCert=" + other.ca())).close())
                .isInstanceOf(StoreUnavailableException.class)
                .hasMessage("MariaDB unreachable at jdbc:mariadb://127.0.0.1:" + port
                        + "/huibo_tls: unable to find valid certification path to requested target");
    }
}
