package org.portaudit.demo;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;

/** Metrics endpoint on loopback port 9100 that refuses non-loopback peers. */
public class MetricsServer implements Runnable {
    @Override
    public void run() {
        try (ServerSocket server = new ServerSocket(9100, 10, InetAddress.getLoopbackAddress())) {
            while (true) {
                Socket client = server.accept();
                if (!client.getInetAddress().isLoopbackAddress()) {
                    client.close();
                    continue;
                }
                client.getOutputStream().write("up 1\n".getBytes("UTF-8"));
                client.close();
            }
        } catch (IOException e) {
            // stop serving
        }
    }
}
