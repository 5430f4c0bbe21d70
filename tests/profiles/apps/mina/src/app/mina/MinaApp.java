package app.mina;

import java.net.InetSocketAddress;
import org.apache.mina.core.service.IoAcceptor;
import org.apache.mina.core.service.IoHandlerAdapter;
import org.apache.mina.core.session.IoSession;
import org.apache.mina.transport.socket.nio.NioDatagramAcceptor;
import org.apache.mina.transport.socket.nio.NioSocketAcceptor;

/** Apache MINA acceptors: TCP on every interface, TCP through the IoAcceptor interface on loopback,
 *  UDP on loopback. */
public class MinaApp {
    static class Echo extends IoHandlerAdapter {
        @Override
        public void messageReceived(IoSession session, Object message) {
            session.write(message);
        }
    }

    static NioSocketAcceptor tcpPublic() throws Exception {
        NioSocketAcceptor acceptor = new NioSocketAcceptor();
        acceptor.setHandler(new Echo());
        acceptor.bind(new InetSocketAddress(18123));
        return acceptor;
    }

    static IoAcceptor tcpLocal() throws Exception {
        IoAcceptor acceptor = new NioSocketAcceptor();
        acceptor.setHandler(new Echo());
        acceptor.bind(new InetSocketAddress("127.0.0.1", 18125));
        return acceptor;
    }

    static NioDatagramAcceptor udpLocal() throws Exception {
        NioDatagramAcceptor acceptor = new NioDatagramAcceptor();
        acceptor.setHandler(new Echo());
        acceptor.bind(new InetSocketAddress("127.0.0.1", 18124));
        return acceptor;
    }

    public static void main(String[] args) throws Exception {
        IoAcceptor a = tcpPublic();
        IoAcceptor b = tcpLocal();
        IoAcceptor c = udpLocal();
        System.out.println("READY");
        System.out.flush();
        System.in.read();
        a.dispose();
        b.dispose();
        c.dispose();
    }
}
