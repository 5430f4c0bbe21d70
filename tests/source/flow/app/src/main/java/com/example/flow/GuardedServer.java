package com.example.flow;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;

/** Loopback servers: one whose accepted sockets are checked, one whose class checks another socket. */
public class GuardedServer {
    void checked() throws Exception {
        ServerSocket server = new ServerSocket(10100, 0, InetAddress.getLoopbackAddress()); // SHAPE: guarded
        while (true) {
            Socket client = server.accept();
            handle(client);
        }
    }

    void handle(Socket s) throws Exception {
        if (!s.getInetAddress().isLoopbackAddress()) {
            s.close();
        }
    }
}
