package com.example.flow;

import java.net.InetSocketAddress;
import java.net.ServerSocket;

/** A host given through a setter by another class. */
public class SetterServer {
    private String bindHost;

    public void setBindHost(String host) {
        bindHost = host;
    }

    void open() throws Exception {
        new ServerSocket().bind(new InetSocketAddress(bindHost, 9700)); // SHAPE: setter
    }
}
