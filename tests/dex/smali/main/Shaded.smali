.class public Lcom/example/pa/Shaded;
.super Ljava/lang/Object;

# a shaded NanoHTTPD copy (like com.adtech.mobilesdk.publisher.cache.NanoHTTPD), matched by simple name
.method public static start()V
    .locals 2
    new-instance v0, Lcom/adtech/mobilesdk/publisher/cache/NanoHTTPD;
    const/16 v1, 0x238c
    invoke-direct {v0, v1}, Lcom/adtech/mobilesdk/publisher/cache/NanoHTTPD;-><init>(I)V
    return-void
.end method
