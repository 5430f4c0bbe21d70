// Expected facts: "EXPECT: <bind> <address|-> <port|->"; other lines stay quiet.
// The address is the literal written in the code, "-" when there is none (README, JSON contract).
// Oracles: the javadoc of each API (ServerSocket(int,int,InetAddress): "If bindAddr is null, it will
// default accepting connections on any/all local addresses"; InetSocketAddress(int): "the IP address
// is the wildcard address"; ServerSocket.bind(null): "the system will pick up an ephemeral port and a
// valid local address"; InetAddress.getByName: a null or empty host is the loopback address).
// getLoopbackAddress() writes no address literal: "-", like the bytecode input (README).
package com.example.app;

import android.net.LocalServerSocket;
import android.webkit.WebView;
import fi.iki.elonen.NanoHTTPD;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.channels.ServerSocketChannel;

public class Servers {
    static final int PORT = 8080;
    static final String BIND = "0.0.0.0";
    private final boolean debug = BuildConfig.DEBUG;

    void open() throws Exception {
        new ServerSocket(PORT); // EXPECT: all-interfaces - 8080
        new ServerSocket(8081, 50, null); // EXPECT: all-interfaces - 8081
        new ServerSocket(8082, 50, InetAddress.getByName("127.0.0.1")); // EXPECT: loopback 127.0.0.1 8082
        new ServerSocket(8083, 50, InetAddress.getLoopbackAddress()); // EXPECT: loopback - 8083
        new ServerSocket(8084, 50, InetAddress.getByName(BIND)); // EXPECT: all-interfaces 0.0.0.0 8084
        new ServerSocket(8085, 50, InetAddress.getLocalHost()); // EXPECT: unknown - 8085
        ServerSocket ss = new ServerSocket();
        ss.bind(new InetSocketAddress(9000)); // EXPECT: all-interfaces - 9000
        ServerSocket ss2 = new ServerSocket();
        ss2.bind(new InetSocketAddress("localhost", 9001)); // EXPECT: loopback localhost 9001
        ServerSocket ss3 = new ServerSocket();
        ss3.bind(null); // EXPECT: all-interfaces - 0
        ServerSocketChannel ch = ServerSocketChannel.open();
        ch.bind(new InetSocketAddress("::", 9002)); // EXPECT: all-interfaces :: 9002
        new DatagramSocket(5353); // EXPECT: all-interfaces - 5353
        InetAddress a = debug ? InetAddress.getByName("0.0.0.0") : InetAddress.getLoopbackAddress();
        new ServerSocket(9003, 0, a); // EXPECT: conditional 0.0.0.0|loopback 9003
        new LocalServerSocket("my.socket"); // EXPECT: unix @my.socket -
        WebView.setWebContentsDebuggingEnabled(true); // EXPECT-DEBUG: enabled
        if (BuildConfig.DEBUG) {
            WebView.setWebContentsDebuggingEnabled(true); // EXPECT-DEBUG: gated
        }
        WebView.setWebContentsDebuggingEnabled(false);
        // negatives
        Socket client = new Socket("example.org", 80);
        Socket s = new Socket();
        s.bind(new InetSocketAddress(0));
        s.connect(new InetSocketAddress("example.org", 80));
        DatagramSocket sender = new DatagramSocket();
        open(4000); // EXPECT: all-interfaces - 4000
    }

    ServerSocket open(int port) throws Exception {
        return new ServerSocket(port);
    }
}

class Web extends NanoHTTPD {
    Web() {
        super("127.0.0.1", 8090); // EXPECT: loopback 127.0.0.1 8090
    }
}

class Web2 extends NanoHTTPD {
    Web2(int port) {
        super(port); // EXPECT: all-interfaces - -
    }
}
