// Expected facts: "EXPECT: <bind> <address|-> <port|->"; other lines stay quiet.
package com.example.app;

import com.koushikdutta.async.http.server.AsyncHttpServer;
import io.netty.bootstrap.ServerBootstrap;
import okhttp3.mockwebserver.MockWebServer;
import org.java_websocket.server.WebSocketServer;
import java.net.InetSocketAddress;

public class Libraries {
    void start() throws Exception {
        AsyncHttpServer server = new AsyncHttpServer();
        server.listen(5000); // EXPECT: all-interfaces - 5000
        ServerBootstrap b = new ServerBootstrap();
        b.bind(6000); // EXPECT: all-interfaces - 6000
        b.bind("127.0.0.1", 6001); // EXPECT: loopback 127.0.0.1 6001
        MockWebServer mock = new MockWebServer();
        mock.start(7000); // EXPECT: loopback - 7000
    }
}

class Ws extends WebSocketServer {
    Ws() {
        super(new InetSocketAddress("0.0.0.0", 8887)); // EXPECT: all-interfaces 0.0.0.0 8887
    }
}
