package com.example.flow;

import java.net.InetAddress;
import java.net.ServerSocket;

public class GetterServer {
    private final Settings settings = new Settings();

    void open() throws Exception {
        new ServerSocket(settings.getPort(), 0, InetAddress.getLoopbackAddress()); // SHAPE: getter-chain
    }
}
