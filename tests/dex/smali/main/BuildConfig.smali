.class public final Lcom/example/pa/BuildConfig;
.super Ljava/lang/Object;

.field public static final DEBUG:Z
