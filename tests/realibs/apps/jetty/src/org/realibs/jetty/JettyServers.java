package org.realibs.jetty;

import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;

/** Jetty embedded as apps do it: Server(port), and a ServerConnector with setHost / setPort. */
public class JettyServers {
    public Server simple() throws Exception {
        Server server = new Server(8181);
        server.start();
        return server;
    }

    public Server connector() throws Exception {
        Server server = new Server();
        ServerConnector connector = new ServerConnector(server);
        connector.setHost("127.0.0.1");
        connector.setPort(8182);
        server.addConnector(connector);
        server.start();
        return server;
    }
}
