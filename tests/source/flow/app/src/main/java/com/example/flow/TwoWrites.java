package com.example.flow;

import java.net.InetSocketAddress;
import java.nio.channels.ServerSocketChannel;

/** A field written with two constants in two methods. */
public class TwoWrites {
    private String host = "127.0.0.1";

    void shareOnNetwork() {
        host = "0.0.0.0";
    }

    void open() throws Exception {
        ServerSocketChannel ch = ServerSocketChannel.open();
        ch.bind(new InetSocketAddress(host, 9300)); // SHAPE: two-writes
    }
}
