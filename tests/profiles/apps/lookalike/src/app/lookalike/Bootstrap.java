package app.lookalike;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.ArrayList;
import java.util.List;

/**
 * Looks like Netty's ServerBootstrap from the outside: the same method shapes (bind(int),
 * bind(String, int), bind(SocketAddress), group, childHandler, validate) and some of its
 * strings, but it only records what it was asked to do.  It opens no socket.
 */
public class Bootstrap {
    private final List<String> log = new ArrayList<>();
    private Object group;
    private Object childGroup;
    private Object childHandler;

    public Bootstrap group(Object parent, Object child) {
        if (child == null) {
            log.add("childGroup is not set. Using parentGroup instead.");
        }
        this.group = parent;
        this.childGroup = child;
        return this;
    }

    public Bootstrap childHandler(Object handler) {
        log.add("childHandler");
        this.childHandler = handler;
        return this;
    }

    public Bootstrap validate() {
        if (childHandler == null) {
            log.add("childHandler not set");
        }
        if (group == null || childGroup == null) {
            log.add("group not set");
        }
        return this;
    }

    public Record bind(int port) {
        return new Record("port " + port + " (" + log.size() + " notes)");
    }

    public Record bind(String host, int port) {
        return new Record(host + ":" + port);
    }

    public Record bind(SocketAddress address) {
        return new Record(String.valueOf(address));
    }

    public static final class Record {
        final String what;

        Record(String what) {
            this.what = what;
        }

        @Override
        public String toString() {
            return "would bind " + what;
        }
    }

    public static void main(String[] args) throws Exception {
        Bootstrap b = new Bootstrap().group(new Object(), null).childHandler(new Object()).validate();
        System.out.println(b.bind(18090));
        System.out.println(b.bind("0.0.0.0", 18091));
        System.out.println(b.bind(new InetSocketAddress(18092)));
        System.out.println("READY");
        System.out.flush();
        System.in.read();
    }
}
