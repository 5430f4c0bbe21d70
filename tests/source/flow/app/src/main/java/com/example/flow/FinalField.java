package com.example.flow;

import java.net.InetAddress;
import java.net.ServerSocket;

public class FinalField {
    void open() throws Exception {
        new ServerSocket(Ports.CONTROL, 0, InetAddress.getLoopbackAddress()); // SHAPE: final-field
    }
}
