package com.example.flow;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;

/** A static InetAddress field set at run time from the Wi-Fi address, read back for bind(). */
public class RuntimeAddress {
    static InetAddress bindAddr;

    static void configure(String wifiIp) throws Exception {
        bindAddr = InetAddress.getByName(wifiIp);
    }

    void open(int port) throws Exception {
        ServerSocket ss = new ServerSocket();
        ss.bind(new InetSocketAddress(bindAddr, 9100)); // SHAPE: runtime-field
    }
}
