package org.realibs.netty;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import java.net.InetSocketAddress;

/** Three Netty servers as apps write them: all interfaces, loopback by name, loopback by address. */
public class NettyServers {
    static final int CONTROL_PORT = 9300;

    private ServerBootstrap bootstrap(EventLoopGroup boss, EventLoopGroup worker) {
        return new ServerBootstrap()
                .group(boss, worker)
                .channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline();
                    }
                });
    }

    /** bind(int): every interface. */
    public ChannelFuture startPublic() {
        EventLoopGroup boss = new NioEventLoopGroup(1);
        return bootstrap(boss, new NioEventLoopGroup()).bind(8080);
    }

    /** bind(String, int): loopback by name. */
    public ChannelFuture startLocal() {
        EventLoopGroup boss = new NioEventLoopGroup(1);
        return bootstrap(boss, boss).bind("127.0.0.1", CONTROL_PORT);
    }

    /** bind(SocketAddress): an InetSocketAddress on the IPv6 wildcard. */
    public ChannelFuture startSocketAddress() {
        EventLoopGroup boss = new NioEventLoopGroup(1);
        return bootstrap(boss, boss).bind(new InetSocketAddress("::", 9301));
    }
}
