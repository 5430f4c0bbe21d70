package org.portaudit.demo;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;

/** Companion-app remote control on 127.0.0.1:8765. Any app on the device can connect: nobody is checked. */
public class RemoteControl implements Runnable {
    @Override
    public void run() {
        try (ServerSocket server = new ServerSocket(8765, 10, InetAddress.getByName("127.0.0.1"))) {
            while (true) {
                try (Socket client = server.accept()) {
                    BufferedReader in = new BufferedReader(new InputStreamReader(client.getInputStream(), "UTF-8"));
                    String command = in.readLine();
                    client.getOutputStream().write(("ok " + command + "\n").getBytes("UTF-8"));
                }
            }
        } catch (IOException e) {
            // stop serving
        }
    }
}
