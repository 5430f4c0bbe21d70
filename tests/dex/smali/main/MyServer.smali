.class public Lcom/example/pa/MyServer;
.super Lfi/iki/elonen/NanoHTTPD;

.method public constructor <init>(I)V
    .locals 0
    invoke-direct {p0, p1}, Lfi/iki/elonen/NanoHTTPD;-><init>(I)V
    return-void
.end method

.method public static launch()V
    .locals 2
    new-instance v0, Lcom/example/pa/MyServer;
    const/16 v1, 0x22b8
    invoke-direct {v0, v1}, Lcom/example/pa/MyServer;-><init>(I)V
    return-void
.end method
