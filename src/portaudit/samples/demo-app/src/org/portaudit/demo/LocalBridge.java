package org.portaudit.demo;

import android.net.LocalServerSocket;
import android.net.LocalSocket;
import java.io.IOException;

/** Abstract UNIX socket @portdemo_bridge for a helper process; peer credentials are never checked. */
public class LocalBridge implements Runnable {
    @Override
    public void run() {
        try {
            LocalServerSocket server = new LocalServerSocket("portdemo_bridge");
            while (true) {
                LocalSocket client = server.accept();
                client.getOutputStream().write(1);
                client.close();
            }
        } catch (IOException e) {
            // stop serving
        }
    }
}
