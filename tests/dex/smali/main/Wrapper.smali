.class public Lcom/example/pa/Wrapper;
.super Ljava/lang/Object;

# a wrapper whose parameter reaches new ServerSocket(port, backlog, addr)
.method public static open(ILjava/lang/String;)Ljava/net/ServerSocket;
    .locals 3
    invoke-static {p1}, Ljava/net/InetAddress;->getByName(Ljava/lang/String;)Ljava/net/InetAddress;
    move-result-object v2
    new-instance v0, Ljava/net/ServerSocket;
    const/4 v1, 0x0
    invoke-direct {v0, p0, v1, v2}, Ljava/net/ServerSocket;-><init>(IILjava/net/InetAddress;)V
    return-object v0
.end method

.method public static callers()V
    .locals 2
    const/16 v0, 0x15b3
    const-string v1, "0.0.0.0"
    invoke-static {v0, v1}, Lcom/example/pa/Wrapper;->open(ILjava/lang/String;)Ljava/net/ServerSocket;
    const/16 v0, 0x1a0a
    const-string v1, "127.0.0.1"
    invoke-static {v0, v1}, Lcom/example/pa/Wrapper;->open(ILjava/lang/String;)Ljava/net/ServerSocket;
    return-void
.end method

# a wrapper nobody calls
.method public static orphan(I)V
    .locals 1
    new-instance v0, Ljava/net/ServerSocket;
    invoke-direct {v0, p0}, Ljava/net/ServerSocket;-><init>(I)V
    return-void
.end method
