.class public Lcom/example/pa/Listeners;
.super Ljava/lang/Object;

# one static method per address shape; the test looks them up by method name

.method public static noAddress()V
    .locals 2
    new-instance v0, Ljava/net/ServerSocket;
    const/16 v1, 0x1f90
    invoke-direct {v0, v1}, Ljava/net/ServerSocket;-><init>(I)V
    return-void
.end method

.method public static nullAddress()V
    .locals 4
    new-instance v0, Ljava/net/ServerSocket;
    const/16 v1, 0x1f91
    const/16 v2, 0x32
    const/4 v3, 0x0
    invoke-direct {v0, v1, v2, v3}, Ljava/net/ServerSocket;-><init>(IILjava/net/InetAddress;)V
    return-void
.end method

.method public static anyString()V
    .locals 4
    const-string v3, "0.0.0.0"
    invoke-static {v3}, Ljava/net/InetAddress;->getByName(Ljava/lang/String;)Ljava/net/InetAddress;
    move-result-object v3
    new-instance v0, Ljava/net/ServerSocket;
    const/16 v1, 0x1f92
    const/16 v2, 0x32
    invoke-direct {v0, v1, v2, v3}, Ljava/net/ServerSocket;-><init>(IILjava/net/InetAddress;)V
    return-void
.end method

.method public static anyV6()V
    .locals 4
    const-string v3, "::"
    invoke-static {v3}, Ljava/net/InetAddress;->getByName(Ljava/lang/String;)Ljava/net/InetAddress;
    move-result-object v3
    new-instance v0, Ljava/net/ServerSocket;
    const/16 v1, 0x1f93
    const/4 v2, 0x0
    invoke-direct {v0, v1, v2, v3}, Ljava/net/ServerSocket;-><init>(IILjava/net/InetAddress;)V
    return-void
.end method

.method public static localhost()V
    .locals 4
    const-string v3, "localhost"
    invoke-static {v3}, Ljava/net/InetAddress;->getByName(Ljava/lang/String;)Ljava/net/InetAddress;
    move-result-object v3
    new-instance v0, Ljava/net/ServerSocket;
    const/16 v1, 0x1f94
    const/4 v2, 0x0
    invoke-direct {v0, v1, v2, v3}, Ljava/net/ServerSocket;-><init>(IILjava/net/InetAddress;)V
    return-void
.end method

.method public static loopbackApi()V
    .locals 4
    invoke-static {}, Ljava/net/InetAddress;->getLoopbackAddress()Ljava/net/InetAddress;
    move-result-object v3
    new-instance v0, Ljava/net/ServerSocket;
    const/16 v1, 0x1f95
    const/4 v2, 0x0
    invoke-direct {v0, v1, v2, v3}, Ljava/net/ServerSocket;-><init>(IILjava/net/InetAddress;)V
    return-void
.end method

.method public static localHostApi()V
    .locals 4
    invoke-static {}, Ljava/net/InetAddress;->getLocalHost()Ljava/net/InetAddress;
    move-result-object v3
    new-instance v0, Ljava/net/ServerSocket;
    const/16 v1, 0x1f96
    const/4 v2, 0x0
    invoke-direct {v0, v1, v2, v3}, Ljava/net/ServerSocket;-><init>(IILjava/net/InetAddress;)V
    return-void
.end method

.method public static specific()V
    .locals 4
    const-string v3, "192.168.1.5"
    invoke-static {v3}, Ljava/net/InetAddress;->getByName(Ljava/lang/String;)Ljava/net/InetAddress;
    move-result-object v3
    new-instance v0, Ljava/net/ServerSocket;
    const/16 v1, 0x1f97
    const/4 v2, 0x0
    invoke-direct {v0, v1, v2, v3}, Ljava/net/ServerSocket;-><init>(IILjava/net/InetAddress;)V
    return-void
.end method

.method public static zeroBytes()V
    .locals 4
    const/4 v0, 0x4
    new-array v3, v0, [B
    invoke-static {v3}, Ljava/net/InetAddress;->getByAddress([B)Ljava/net/InetAddress;
    move-result-object v3
    new-instance v0, Ljava/net/ServerSocket;
    const/16 v1, 0x1f98
    const/4 v2, 0x0
    invoke-direct {v0, v1, v2, v3}, Ljava/net/ServerSocket;-><init>(IILjava/net/InetAddress;)V
    return-void
.end method

.method public static loopbackBytes()V
    .locals 4
    const/4 v0, 0x4
    new-array v3, v0, [B
    fill-array-data v3, :bytes
    invoke-static {v3}, Ljava/net/InetAddress;->getByAddress([B)Ljava/net/InetAddress;
    move-result-object v3
    new-instance v0, Ljava/net/ServerSocket;
    const/16 v1, 0x1f99
    const/4 v2, 0x0
    invoke-direct {v0, v1, v2, v3}, Ljava/net/ServerSocket;-><init>(IILjava/net/InetAddress;)V
    return-void
    :bytes
    .array-data 1
        0x7ft
        0x0t
        0x0t
        0x1t
    .end array-data
.end method

.method public static aputBytes()V
    .locals 5
    const/4 v0, 0x4
    new-array v3, v0, [B
    const/4 v0, 0x0
    const/16 v4, 0xa
    aput-byte v4, v3, v0
    invoke-static {v3}, Ljava/net/InetAddress;->getByAddress([B)Ljava/net/InetAddress;
    move-result-object v3
    new-instance v0, Ljava/net/ServerSocket;
    const/16 v1, 0x1f9a
    const/4 v2, 0x0
    invoke-direct {v0, v1, v2, v3}, Ljava/net/ServerSocket;-><init>(IILjava/net/InetAddress;)V
    return-void
.end method

.method public static bindPort()V
    .locals 3
    new-instance v0, Ljava/net/ServerSocket;
    invoke-direct {v0}, Ljava/net/ServerSocket;-><init>()V
    new-instance v1, Ljava/net/InetSocketAddress;
    const/16 v2, 0x2328
    invoke-direct {v1, v2}, Ljava/net/InetSocketAddress;-><init>(I)V
    invoke-virtual {v0, v1}, Ljava/net/ServerSocket;->bind(Ljava/net/SocketAddress;)V
    return-void
.end method

.method public static bindHost()V
    .locals 4
    new-instance v0, Ljava/net/ServerSocket;
    invoke-direct {v0}, Ljava/net/ServerSocket;-><init>()V
    new-instance v1, Ljava/net/InetSocketAddress;
    const-string v3, "127.0.0.1"
    const/16 v2, 0x2329
    invoke-direct {v1, v3, v2}, Ljava/net/InetSocketAddress;-><init>(Ljava/lang/String;I)V
    invoke-virtual {v0, v1}, Ljava/net/ServerSocket;->bind(Ljava/net/SocketAddress;)V
    return-void
.end method

.method public static bindNull()V
    .locals 2
    new-instance v0, Ljava/net/ServerSocket;
    invoke-direct {v0}, Ljava/net/ServerSocket;-><init>()V
    const/4 v1, 0x0
    invoke-virtual {v0, v1}, Ljava/net/ServerSocket;->bind(Ljava/net/SocketAddress;)V
    return-void
.end method

.method public static channelBind()V
    .locals 4
    invoke-static {}, Ljava/nio/channels/ServerSocketChannel;->open()Ljava/nio/channels/ServerSocketChannel;
    move-result-object v0
    invoke-static {}, Ljava/net/InetAddress;->getLoopbackAddress()Ljava/net/InetAddress;
    move-result-object v2
    new-instance v1, Ljava/net/InetSocketAddress;
    const/16 v3, 0x232a
    invoke-direct {v1, v2, v3}, Ljava/net/InetSocketAddress;-><init>(Ljava/net/InetAddress;I)V
    invoke-virtual {v0, v1}, Ljava/nio/channels/ServerSocketChannel;->bind(Ljava/net/SocketAddress;)Ljava/nio/channels/ServerSocketChannel;
    return-void
.end method

.method public static udp()V
    .locals 2
    new-instance v0, Ljava/net/DatagramSocket;
    const/16 v1, 0x14e9
    invoke-direct {v0, v1}, Ljava/net/DatagramSocket;-><init>(I)V
    return-void
.end method

.method public static staticFields()V
    .locals 4
    sget-object v3, Lcom/example/pa/Config;->HOST:Ljava/lang/String;
    invoke-static {v3}, Ljava/net/InetAddress;->getByName(Ljava/lang/String;)Ljava/net/InetAddress;
    move-result-object v3
    new-instance v0, Ljava/net/ServerSocket;
    sget v1, Lcom/example/pa/Config;->PORT:I
    const/4 v2, 0x0
    invoke-direct {v0, v1, v2, v3}, Ljava/net/ServerSocket;-><init>(IILjava/net/InetAddress;)V
    return-void
.end method

.method public static clinitField()V
    .locals 4
    sget-object v3, Lcom/example/pa/Config;->BIND:Ljava/lang/String;
    invoke-static {v3}, Ljava/net/InetAddress;->getByName(Ljava/lang/String;)Ljava/net/InetAddress;
    move-result-object v3
    new-instance v0, Ljava/net/ServerSocket;
    const/16 v1, 0x1b59
    const/4 v2, 0x0
    invoke-direct {v0, v1, v2, v3}, Ljava/net/ServerSocket;-><init>(IILjava/net/InetAddress;)V
    return-void
.end method

.method public static branch(Z)V
    .locals 4
    if-eqz p0, :loop
    const-string v3, "0.0.0.0"
    invoke-static {v3}, Ljava/net/InetAddress;->getByName(Ljava/lang/String;)Ljava/net/InetAddress;
    move-result-object v3
    goto :go
    :loop
    invoke-static {}, Ljava/net/InetAddress;->getLoopbackAddress()Ljava/net/InetAddress;
    move-result-object v3
    :go
    new-instance v0, Ljava/net/ServerSocket;
    const/16 v1, 0x1b5a
    const/4 v2, 0x0
    invoke-direct {v0, v1, v2, v3}, Ljava/net/ServerSocket;-><init>(IILjava/net/InetAddress;)V
    return-void
.end method

.method public static unixSocket()V
    .locals 2
    new-instance v0, Landroid/net/LocalServerSocket;
    const-string v1, "pa_control"
    invoke-direct {v0, v1}, Landroid/net/LocalServerSocket;-><init>(Ljava/lang/String;)V
    return-void
.end method

.method public static nullHostName()V
    .locals 4
    const/4 v3, 0x0
    invoke-static {v3}, Ljava/net/InetAddress;->getByName(Ljava/lang/String;)Ljava/net/InetAddress;
    move-result-object v3
    new-instance v0, Ljava/net/ServerSocket;
    const/16 v1, 0x1f9b
    const/4 v2, 0x0
    invoke-direct {v0, v1, v2, v3}, Ljava/net/ServerSocket;-><init>(IILjava/net/InetAddress;)V
    return-void
.end method

.method public static rangeInvoke()V
    .locals 4
    const-string v3, "0.0.0.0"
    invoke-static {v3}, Ljava/net/InetAddress;->getByName(Ljava/lang/String;)Ljava/net/InetAddress;
    move-result-object v3
    new-instance v0, Ljava/net/ServerSocket;
    const/16 v1, 0x1f9c
    const/4 v2, 0x0
    invoke-direct/range {v0 .. v3}, Ljava/net/ServerSocket;-><init>(IILjava/net/InetAddress;)V
    return-void
.end method

.method public static inCatch()V
    .locals 4
    const/16 v1, 0x1f9d
    :try_start
    new-instance v0, Ljava/net/ServerSocket;
    invoke-direct {v0, v1}, Ljava/net/ServerSocket;-><init>(I)V
    :try_end
    .catch Ljava/io/IOException; {:try_start .. :try_end} :handler
    return-void
    :handler
    move-exception v0
    invoke-static {}, Ljava/net/InetAddress;->getLoopbackAddress()Ljava/net/InetAddress;
    move-result-object v3
    new-instance v0, Ljava/net/ServerSocket;
    const/4 v2, 0x0
    invoke-direct {v0, v1, v2, v3}, Ljava/net/ServerSocket;-><init>(IILjava/net/InetAddress;)V
    return-void
.end method
