.class public Lcom/example/pa/Negatives;
.super Ljava/lang/Object;

.method public static client()V
    .locals 3
    new-instance v0, Ljava/net/Socket;
    const-string v1, "example.org"
    const/16 v2, 0x50
    invoke-direct {v0, v1, v2}, Ljava/net/Socket;-><init>(Ljava/lang/String;I)V
    return-void
.end method

.method public static clientBind()V
    .locals 3
    new-instance v0, Ljava/net/Socket;
    invoke-direct {v0}, Ljava/net/Socket;-><init>()V
    new-instance v1, Ljava/net/InetSocketAddress;
    const/16 v2, 0x0
    invoke-direct {v1, v2}, Ljava/net/InetSocketAddress;-><init>(I)V
    invoke-virtual {v0, v1}, Ljava/net/Socket;->bind(Ljava/net/SocketAddress;)V
    invoke-virtual {v0, v1}, Ljava/net/Socket;->connect(Ljava/net/SocketAddress;)V
    return-void
.end method

.method public static udpClient()V
    .locals 1
    new-instance v0, Ljava/net/DatagramSocket;
    invoke-direct {v0}, Ljava/net/DatagramSocket;-><init>()V
    return-void
.end method

.method public static udpUnbound()V
    .locals 2
    new-instance v0, Ljava/net/DatagramSocket;
    const/4 v1, 0x0
    invoke-direct {v0, v1}, Ljava/net/DatagramSocket;-><init>(Ljava/net/SocketAddress;)V
    return-void
.end method

.method public static unboundServer()V
    .locals 1
    new-instance v0, Ljava/net/ServerSocket;
    invoke-direct {v0}, Ljava/net/ServerSocket;-><init>()V
    return-void
.end method
