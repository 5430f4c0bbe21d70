.class public Lcom/example/pa/Fields;
.super Ljava/lang/Object;

.field private host:Ljava/net/InetAddress;

.method public fromField()V
    .locals 4
    iget-object v3, p0, Lcom/example/pa/Fields;->host:Ljava/net/InetAddress;
    new-instance v0, Ljava/net/ServerSocket;
    const/16 v1, 0x1b5b
    const/4 v2, 0x0
    invoke-direct {v0, v1, v2, v3}, Ljava/net/ServerSocket;-><init>(IILjava/net/InetAddress;)V
    return-void
.end method

.method public fromCall()V
    .locals 3
    invoke-static {}, Lcom/example/pa/Fields;->pickPort()I
    move-result v1
    new-instance v0, Ljava/net/ServerSocket;
    invoke-direct {v0, v1}, Ljava/net/ServerSocket;-><init>(I)V
    return-void
.end method

.method public static pickPort()I
    .locals 1
    const/16 v0, 0x50
    return v0
.end method
