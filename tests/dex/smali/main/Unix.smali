.class public Lcom/example/pa/Unix;
.super Ljava/lang/Object;

# serve(): the accepted socket is handed to Unix$Handler.check, which reads its peer credentials:
# a guard of THIS listener.  serveOther(): a second listener of the same class whose sockets are
# never checked; the check in Unix$Handler is not its guard.

.method public serve()V
    .locals 3
    new-instance v0, Landroid/net/LocalServerSocket;
    const-string v1, "pa_guarded"
    invoke-direct {v0, v1}, Landroid/net/LocalServerSocket;-><init>(Ljava/lang/String;)V
    invoke-virtual {v0}, Landroid/net/LocalServerSocket;->accept()Landroid/net/LocalSocket;
    move-result-object v1
    new-instance v2, Lcom/example/pa/Unix$Handler;
    invoke-direct {v2}, Lcom/example/pa/Unix$Handler;-><init>()V
    invoke-virtual {v2, v1}, Lcom/example/pa/Unix$Handler;->check(Landroid/net/LocalSocket;)V
    return-void
.end method

.method public serveOther()V
    .locals 2
    new-instance v0, Landroid/net/LocalServerSocket;
    const-string v1, "pa_unchecked"
    invoke-direct {v0, v1}, Landroid/net/LocalServerSocket;-><init>(Ljava/lang/String;)V
    invoke-virtual {v0}, Landroid/net/LocalServerSocket;->accept()Landroid/net/LocalSocket;
    move-result-object v1
    return-void
.end method
