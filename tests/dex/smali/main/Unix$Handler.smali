.class Lcom/example/pa/Unix$Handler;
.super Ljava/lang/Object;

.method constructor <init>()V
    .locals 0
    invoke-direct {p0}, Ljava/lang/Object;-><init>()V
    return-void
.end method

.method check(Landroid/net/LocalSocket;)V
    .locals 0
    invoke-virtual {p1}, Landroid/net/LocalSocket;->getPeerCredentials()Landroid/net/Credentials;
    return-void
.end method
