package com.example.flow;

import java.net.InetAddress;
import java.net.ServerSocket;

/** private String host = null, then a setter: the example. */
public class NullHost {
    private String host = null;

    public void setHost(String h) {
        this.host = h;
    }

    void start() throws Exception {
        new ServerSocket(9200, 50, InetAddress.getByName(host)); // SHAPE: null-host-setter
    }
}
