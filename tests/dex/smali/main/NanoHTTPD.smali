.class public abstract Lfi/iki/elonen/NanoHTTPD;
.super Ljava/lang/Object;

.field private final hostname:Ljava/lang/String;
.field private final myPort:I

.method public constructor <init>(I)V
    .locals 1
    const/4 v0, 0x0
    invoke-direct {p0, v0, p1}, Lfi/iki/elonen/NanoHTTPD;-><init>(Ljava/lang/String;I)V
    return-void
.end method

.method public constructor <init>(Ljava/lang/String;I)V
    .locals 0
    invoke-direct {p0}, Ljava/lang/Object;-><init>()V
    iput-object p1, p0, Lfi/iki/elonen/NanoHTTPD;->hostname:Ljava/lang/String;
    iput p2, p0, Lfi/iki/elonen/NanoHTTPD;->myPort:I
    return-void
.end method

.method public start()V
    .locals 4
    new-instance v0, Ljava/net/ServerSocket;
    invoke-direct {v0}, Ljava/net/ServerSocket;-><init>()V
    new-instance v1, Ljava/net/InetSocketAddress;
    iget-object v2, p0, Lfi/iki/elonen/NanoHTTPD;->hostname:Ljava/lang/String;
    iget v3, p0, Lfi/iki/elonen/NanoHTTPD;->myPort:I
    invoke-direct {v1, v2, v3}, Ljava/net/InetSocketAddress;-><init>(Ljava/lang/String;I)V
    invoke-virtual {v0, v1}, Ljava/net/ServerSocket;->bind(Ljava/net/SocketAddress;)V
    return-void
.end method
