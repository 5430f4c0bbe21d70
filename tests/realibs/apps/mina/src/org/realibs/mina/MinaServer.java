package org.realibs.mina;

import java.net.InetSocketAddress;
import org.apache.mina.core.service.IoHandlerAdapter;
import org.apache.mina.core.session.IoSession;
import org.apache.mina.transport.socket.nio.NioDatagramAcceptor;
import org.apache.mina.transport.socket.nio.NioSocketAcceptor;

/** Apache MINA acceptors: TCP on every interface, UDP on loopback. */
public class MinaServer {
    public NioSocketAcceptor tcp() throws Exception {
        NioSocketAcceptor acceptor = new NioSocketAcceptor();
        acceptor.setHandler(new IoHandlerAdapter() {
            @Override
            public void messageReceived(IoSession session, Object message) {
                session.write(message);
            }
        });
        acceptor.bind(new InetSocketAddress(9123));
        return acceptor;
    }

    public NioDatagramAcceptor udp() throws Exception {
        NioDatagramAcceptor acceptor = new NioDatagramAcceptor();
        acceptor.setHandler(new IoHandlerAdapter());
        acceptor.bind(new InetSocketAddress("127.0.0.1", 9124));
        return acceptor;
    }
}
