// Every address below is not determined by the code: each must be reported unknown, with a reason.
package com.example.unknown;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;

public class Unknowns {
    private String neverWritten;
    private InetAddress fromNetwork;

    // exported API: no caller in the tree
    public void openOn(String host, int port) throws Exception {
        new ServerSocket(port, 50, InetAddress.getByName(host));
    }

    void a() throws Exception {
        new ServerSocket(7001, 50, InetAddress.getByName(neverWritten));
    }

    void b(java.io.DataInputStream in) throws Exception {
        fromNetwork = InetAddress.getByName(in.readUTF());
        new ServerSocket(7002, 50, fromNetwork);
    }

    void c() throws Exception {
        new ServerSocket(7003, 50, InetAddress.getByName(System.getenv("HOST")));
    }

    void d() throws Exception {
        new ServerSocket(7004, 50, InetAddress.getLocalHost());
    }

    void e() throws Exception {
        new ServerSocket().bind(new InetSocketAddress(lookup(), 7005));
    }

    native String lookup();
}
