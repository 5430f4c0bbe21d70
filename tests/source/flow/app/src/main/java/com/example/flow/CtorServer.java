package com.example.flow;

import java.net.InetAddress;
import java.net.ServerSocket;

/** An instance field set in the constructor. */
public class CtorServer {
    private final int port;
    private final String host;

    public CtorServer(String host, int port) {
        this.host = host;
        this.port = port;
    }

    ServerSocket open() throws Exception {
        return new ServerSocket(port, 50, InetAddress.getByName(host)); // SHAPE: ctor-field
    }
}
