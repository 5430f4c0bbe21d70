.class public Lcom/example/pa/Unix;
.super Ljava/lang/Object;

.method public serve()V
    .locals 2
    new-instance v0, Landroid/net/LocalServerSocket;
    const-string v1, "pa_guarded"
    invoke-direct {v0, v1}, Landroid/net/LocalServerSocket;-><init>(Ljava/lang/String;)V
    return-void
.end method
