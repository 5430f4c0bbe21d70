package org.portaudit.demo;

import android.app.Application;
import android.util.Log;
import android.webkit.WebView;
import java.io.IOException;

/** Starts the app's background services. */
public class DemoApp extends Application {
    static final String TAG = "PortDemo";

    @Override
    public void onCreate() {
        super.onCreate();
        // Left on from development: remote DevTools for every WebView in the app.
        WebView.setWebContentsDebuggingEnabled(true);
        try {
            new ShareServer(getApplicationInfo() != null ? "/sdcard/Download" : "/").start();
        } catch (IOException e) {
            Log.w(TAG, "share server failed", e);
        }
        new Thread(new RemoteControl(), "remote-control").start();
        new Thread(new LocalBridge(), "local-bridge").start();
        new Thread(new MetricsServer(), "metrics").start();
    }
}
