.class Lcom/example/pa/Unix$Handler;
.super Ljava/lang/Object;

.method check(Landroid/net/LocalSocket;)V
    .locals 0
    invoke-virtual {p1}, Landroid/net/LocalSocket;->getPeerCredentials()Landroid/net/Credentials;
    return-void
.end method
