package app.jetty;

import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;

/** Jetty embedded two ways: Server(port) on every interface, a ServerConnector on loopback. */
public class JettyApp {
    static Server startPublic() throws Exception {
        Server server = new Server(18181);
        server.start();
        return server;
    }

    static Server startLocal() throws Exception {
        Server server = new Server();
        ServerConnector connector = new ServerConnector(server);
        connector.setHost("127.0.0.1");
        connector.setPort(18182);
        server.addConnector(connector);
        server.start();
        return server;
    }

    public static void main(String[] args) throws Exception {
        Server a = startPublic();
        Server b = startLocal();
        System.out.println("READY");
        System.out.flush();
        System.in.read();
        a.stop();
        b.stop();
    }
}
