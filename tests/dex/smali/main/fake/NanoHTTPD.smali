.class public Lcom/example/pa/fake/NanoHTTPD;
.super Ljava/lang/Object;

# An unrelated class that happens to be called NanoHTTPD (a logger): it opens no socket, so
# `new NanoHTTPD(9101)` here is not a server.

.field private final level:I

.method public constructor <init>(I)V
    .locals 0
    invoke-direct {p0}, Ljava/lang/Object;-><init>()V
    iput p1, p0, Lcom/example/pa/fake/NanoHTTPD;->level:I
    return-void
.end method

.method public static make()Lcom/example/pa/fake/NanoHTTPD;
    .locals 2
    new-instance v0, Lcom/example/pa/fake/NanoHTTPD;
    const/16 v1, 0x238d
    invoke-direct {v0, v1}, Lcom/example/pa/fake/NanoHTTPD;-><init>(I)V
    return-object v0
.end method
