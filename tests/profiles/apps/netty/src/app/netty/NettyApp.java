package app.netty;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;

public class NettyApp {
    static ServerBootstrap bootstrap(EventLoopGroup group) {
        return new ServerBootstrap().group(group, group).channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline();
                    }
                });
    }

    static ChannelFuture startPublic(EventLoopGroup group) throws InterruptedException {
        return bootstrap(group).bind(18080).sync();
    }

    static ChannelFuture startLocal(EventLoopGroup group) throws InterruptedException {
        return bootstrap(group).bind("127.0.0.1", 18081).sync();
    }

    public static void main(String[] args) throws Exception {
        EventLoopGroup group = new NioEventLoopGroup(1);
        ChannelFuture a = startPublic(group);
        ChannelFuture b = startLocal(group);
        System.out.println("READY");
        System.out.flush();
        System.in.read();
        a.channel().close().sync();
        b.channel().close().sync();
        group.shutdownGracefully();
    }
}
