.class public final Lcom/example/pa/Config;
.super Ljava/lang/Object;

.field public static final HOST:Ljava/lang/String; = "127.0.0.1"
.field public static final PORT:I = 0x1b58
.field public static BIND:Ljava/lang/String;

.method static constructor <clinit>()V
    .locals 1
    const-string v0, "0.0.0.0"
    sput-object v0, Lcom/example/pa/Config;->BIND:Ljava/lang/String;
    return-void
.end method
