.class public Lcom/adtech/mobilesdk/publisher/cache/NanoHTTPD;
.super Ljava/lang/Object;

# A shaded copy of NanoHTTPD (AOL AdTech ships one under its own package): found by simple name,
# and it really is a server, since it binds a ServerSocket itself.

.field private final myPort:I

.method public constructor <init>(I)V
    .locals 0
    invoke-direct {p0}, Ljava/lang/Object;-><init>()V
    iput p1, p0, Lcom/adtech/mobilesdk/publisher/cache/NanoHTTPD;->myPort:I
    return-void
.end method

.method public start()V
    .locals 3
    new-instance v0, Ljava/net/ServerSocket;
    invoke-direct {v0}, Ljava/net/ServerSocket;-><init>()V
    new-instance v1, Ljava/net/InetSocketAddress;
    iget v2, p0, Lcom/adtech/mobilesdk/publisher/cache/NanoHTTPD;->myPort:I
    invoke-direct {v1, v2}, Ljava/net/InetSocketAddress;-><init>(I)V
    invoke-virtual {v0, v1}, Ljava/net/ServerSocket;->bind(Ljava/net/SocketAddress;)V
    return-void
.end method
