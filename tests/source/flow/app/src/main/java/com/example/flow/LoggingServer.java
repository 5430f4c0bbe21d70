package com.example.flow;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;

/** The peer check is in an unrelated logging method, on a client socket: it must not count. */
public class LoggingServer {
    private Socket upstream;

    void serve() throws Exception {
        ServerSocket server = new ServerSocket(10200, 0, InetAddress.getLoopbackAddress()); // SHAPE: unrelated-guard
        Socket client = server.accept();
        client.getOutputStream().write(1);
    }

    void logUpstream() {
        System.out.println(upstream.getInetAddress());
    }
}
