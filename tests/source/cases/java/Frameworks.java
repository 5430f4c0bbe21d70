// Expected facts: "EXPECT: <bind> <address|-> <port|->"; other lines stay quiet.
// Oracles, per library (the default when no address is given):
//  Jetty: Server(int) makes a ServerConnector with no host; AbstractNetworkConnector.setHost javadoc:
//    "the hostname ... or null for all interfaces".
//  Netty: AbstractBootstrap.bind(int inetPort) { return bind(new InetSocketAddress(inetPort)); }
//  MINA: NioSocketAcceptor.bind(SocketAddress) binds that address (InetSocketAddress javadoc).
//  Apache FtpServer: "server-address: ... If not set, the listener binds to all available addresses".
//  Apache SSHD: SshServer host null = the wildcard address.
//  okhttp: MockWebServer.start(port) = start(InetAddress.getByName("localhost"), port); start() = port 0.
//  Undertow: addHttpListener(int port, String host) -- the host is required.
//  Javalin docs: start(port) / start() listen on all interfaces, start() on 8080.
//  Spark docs: ipAddress defaults to 0.0.0.0.
//  AndroidAsync: AsyncServer.listen(host, ...): host == null -> new InetSocketAddress(port).
//  android.net.LocalSocketAddress(name): the ABSTRACT namespace (Android reference).
package com.example.app;

import static spark.Spark.ipAddress;
import static spark.Spark.port;

import android.net.LocalSocket;
import android.net.LocalSocketAddress;
import com.koushikdutta.async.AsyncServer;
import com.koushikdutta.async.http.server.AsyncHttpServer;
import fi.iki.elonen.NanoWSD;
import fi.iki.elonen.SimpleWebServer;
import io.javalin.Javalin;
import io.netty.bootstrap.ServerBootstrap;
import io.undertow.Undertow;
import java.io.File;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import okhttp3.mockwebserver.MockWebServer;
import org.apache.ftpserver.listener.ListenerFactory;
import org.apache.mina.transport.socket.nio.NioSocketAcceptor;
import org.apache.sshd.server.SshServer;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;

public class Frameworks {
    void jetty() throws Exception {
        new Server(8080); // EXPECT: all-interfaces - 8080
        Server server = new Server();
        ServerConnector connector = new ServerConnector(server);
        connector.setHost("127.0.0.1");
        connector.setPort(8081); // EXPECT: loopback 127.0.0.1 8081
    }

    void netty() throws Exception {
        ServerBootstrap b = new ServerBootstrap();
        b.group(null).channel(null).bind(6100); // EXPECT: all-interfaces - 6100
        new ServerBootstrap().bind(new InetSocketAddress("127.0.0.1", 6101)); // EXPECT: loopback 127.0.0.1 6101
        b.bind(InetAddress.getLoopbackAddress(), 6102); // EXPECT: loopback - 6102
        ServerBootstrap c = new ServerBootstrap().localAddress("0.0.0.0", 6103);
        c.bind(); // EXPECT: all-interfaces 0.0.0.0 6103
    }

    void mina() throws Exception {
        NioSocketAcceptor acceptor = new NioSocketAcceptor();
        acceptor.bind(new InetSocketAddress(9123)); // EXPECT: all-interfaces - 9123
    }

    void ftpAndSsh() {
        ListenerFactory factory = new ListenerFactory();
        factory.setServerAddress("127.0.0.1");
        factory.setPort(2121); // EXPECT: loopback 127.0.0.1 2121
        SshServer sshd = SshServer.setUpDefaultServer();
        sshd.setPort(2222); // EXPECT: all-interfaces - 2222
    }

    void mock() throws Exception {
        MockWebServer server = new MockWebServer();
        server.start(); // EXPECT: loopback - 0
        server.start(7100); // EXPECT: loopback - 7100
        server.start(InetAddress.getByName("0.0.0.0"), 7101); // EXPECT: all-interfaces 0.0.0.0 7101
    }

    void undertowJavalinSpark() {
        Undertow.builder().addHttpListener(8090, "localhost").build(); // EXPECT: loopback localhost 8090
        Javalin.create().start(7070); // EXPECT: all-interfaces - 7070
        Javalin app = Javalin.create();
        app.start("127.0.0.1", 7071); // EXPECT: loopback 127.0.0.1 7071
        ipAddress("127.0.0.1");
        port(4567); // EXPECT: loopback 127.0.0.1 4567
    }

    void androidAsync() {
        AsyncServer.getDefault().listen(null, 5001, null); // EXPECT: all-interfaces - 5001
        AsyncServer.getDefault().listen(InetAddress.getLoopbackAddress(), 5002, null); // EXPECT: loopback - 5002
        new AsyncHttpServer().listen(AsyncServer.getDefault(), 5003); // EXPECT: all-interfaces - 5003
    }

    void local() throws Exception {
        LocalSocket s = new LocalSocket();
        s.bind(new LocalSocketAddress("my_local")); // EXPECT: unix @my_local -
    }

    int freePort() throws Exception {
        try (ServerSocket probe = new ServerSocket(0)) {
            return probe.getLocalPort();
        }
    }

    void negatives(Chat chat, Socket client) throws Exception {
        chat.listen(5000);
        chat.bind(7000);
        client.bind(new InetSocketAddress(0));
        client.connect(new InetSocketAddress("example.org", 80));
    }
}

class Www extends SimpleWebServer {
    Www(File root) {
        super("0.0.0.0", 8088, root, true); // EXPECT: all-interfaces 0.0.0.0 8088
    }
}

class Ws extends NanoWSD {
    Ws() {
        super(8089); // EXPECT: all-interfaces - 8089
    }
}

/** An app class with the method names of server libraries: not a server. */
class Chat {
    void listen(int channel) {
    }

    void bind(int key) {
    }
}
