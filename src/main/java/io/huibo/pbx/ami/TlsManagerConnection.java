package io.huibo.pbx.ami;

import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import org.asteriskjava.manager.internal.ManagerConnectionImpl;
import org.asteriskjava.util.SocketConnectionFacade;

/**
 * An AMI connection over TLS (Asterisk's {@code tlsenable} port) that trusts the authorities Huibo was
 * given and checks that the node's certificate names the host Huibo dials. asterisk-java's own TLS
 * ({@code setSsl}) takes the JVM-wide default socket factory and checks no host name; this one replaces
 * only the socket, the protocol stays asterisk-java's.
 */
final class TlsManagerConnection extends ManagerConnectionImpl {
    private final SSLContext ssl;
    private volatile int connectTimeout;
    private volatile int readTimeout;

    TlsManagerConnection(SSLContext ssl, String host, int port, String user, String secret) {
        this.ssl = ssl;
        setHostname(host);
        setPort(port);
        setUsername(user);
        setPassword(secret);
    }

    /**
     * A context that trusts the certificates in {@code caFile} (PEM), or the JVM's authorities when it is
     * empty. Blocking (reads the file).
     */
    static SSLContext context(String caFile) throws IOException, GeneralSecurityException {
        SSLContext ctx = SSLContext.getInstance("TLS");
        if (caFile == null || caFile.isEmpty()) {
            ctx.init(null, null, null);
            return ctx;
        }
        KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
        trust.load(null, null);
        try (InputStream in = Files.newInputStream(Path.of(caFile))) {
            int i = 0;
            for (var c : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
                trust.setCertificateEntry("ca" + i++, (X509Certificate) c);
            }
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        ctx.init(null, tmf.getTrustManagers(), null);
        return ctx;
    }

    @Override
    public void setSocketTimeout(int socketTimeout) {
        super.setSocketTimeout(socketTimeout);
        this.connectTimeout = socketTimeout;
    }

    @Override
    public void setSocketReadTimeout(int socketReadTimeout) {
        super.setSocketReadTimeout(socketReadTimeout);
        this.readTimeout = socketReadTimeout;
    }

    @Override
    protected SocketConnectionFacade createSocket() throws IOException {
        Socket plain = new Socket();
        try {
            plain.setSoTimeout(readTimeout);
            plain.connect(new InetSocketAddress(getHostname(), getPort()), connectTimeout);
            SSLSocket s = (SSLSocket) ssl.getSocketFactory().createSocket(plain, getHostname(), getPort(), true);
            SSLParameters params = s.getSSLParameters();
            // the host name (or address) Huibo dials must be in the node's certificate
            params.setEndpointIdentificationAlgorithm("HTTPS");
            s.setSSLParameters(params);
            s.startHandshake();
            return new Lines(s);
        } catch (IOException | RuntimeException e) {
            plain.close();
            throw e;
        }
    }

    /** AMI's framing: lines end with CR LF; a bare LF or CR inside a value is part of it. */
    private static final class Lines implements SocketConnectionFacade {
        private final Socket socket;
        private final BufferedReader in;
        private final BufferedWriter out;
        private final StringBuilder line = new StringBuilder();

        Lines(Socket socket) throws IOException {
            this.socket = socket;
            this.in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
            this.out = new BufferedWriter(new OutputStreamWriter(socket.getOutputStream(), StandardCharsets.UTF_8));
        }

        @Override
        public String readLine() throws IOException {
            line.setLength(0);
            while (true) {
                int c = in.read();
                if (c < 0) {
                    // as asterisk-java's own socket: the end of the stream is an error, the reader disconnects
                    throw new IOException("No more lines available");
                }
                if (c == '\n' && line.length() > 0 && line.charAt(line.length() - 1) == '\r') {
                    line.setLength(line.length() - 1);
                    return line.toString();
                }
                line.append((char) c);
            }
        }

        @Override
        public void write(String s) throws IOException {
            out.write(s);
        }

        @Override
        public void flush() throws IOException {
            out.flush();
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }

        @Override
        public boolean isConnected() {
            return socket.isConnected();
        }

        @Override
        public InetAddress getLocalAddress() {
            return socket.getLocalAddress();
        }

        @Override
        public int getLocalPort() {
            return socket.getLocalPort();
        }

        @Override
        public InetAddress getRemoteAddress() {
            return socket.getInetAddress();
        }

        @Override
        public int getRemotePort() {
            return socket.getPort();
        }
    }
}
