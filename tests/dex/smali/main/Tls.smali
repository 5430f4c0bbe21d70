.class public Lcom/example/pa/Tls;
.super Ljava/lang/Object;

.method public serve(Ljavax/net/ServerSocketFactory;)V
    .locals 2
    const/16 v0, 0x20fb
    invoke-virtual {p1, v0}, Ljavax/net/ServerSocketFactory;->createServerSocket(I)Ljava/net/ServerSocket;
    move-result-object v0
    check-cast v0, Ljavax/net/ssl/SSLServerSocket;
    const/4 v1, 0x1
    invoke-virtual {v0, v1}, Ljavax/net/ssl/SSLServerSocket;->setNeedClientAuth(Z)V
    return-void
.end method
