.class public Lcom/example/pa/Debug;
.super Ljava/lang/Object;

.method public static always()V
    .locals 1
    const/4 v0, 0x1
    invoke-static {v0}, Landroid/webkit/WebView;->setWebContentsDebuggingEnabled(Z)V
    return-void
.end method

.method public static off()V
    .locals 1
    const/4 v0, 0x0
    invoke-static {v0}, Landroid/webkit/WebView;->setWebContentsDebuggingEnabled(Z)V
    return-void
.end method

.method public static buildConfig()V
    .locals 1
    sget-boolean v0, Lcom/example/pa/BuildConfig;->DEBUG:Z
    if-eqz v0, :done
    const/4 v0, 0x1
    invoke-static {v0}, Landroid/webkit/WebView;->setWebContentsDebuggingEnabled(Z)V
    :done
    return-void
.end method

.method public static flags(Landroid/content/Context;)V
    .locals 1
    invoke-virtual {p0}, Landroid/content/Context;->getApplicationInfo()Landroid/content/pm/ApplicationInfo;
    move-result-object v0
    iget v0, v0, Landroid/content/pm/ApplicationInfo;->flags:I
    and-int/lit8 v0, v0, 0x2
    if-eqz v0, :no
    const/4 v0, 0x1
    goto :set
    :no
    const/4 v0, 0x0
    :set
    invoke-static {v0}, Landroid/webkit/WebView;->setWebContentsDebuggingEnabled(Z)V
    return-void
.end method

.method public static stetho(Landroid/content/Context;)V
    .locals 0
    invoke-static {p0}, Lcom/facebook/stetho/Stetho;->initializeWithDefaults(Landroid/content/Context;)V
    return-void
.end method
