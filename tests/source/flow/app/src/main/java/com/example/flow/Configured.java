package com.example.flow;

import android.content.Context;
import android.content.SharedPreferences;
import java.net.InetAddress;
import java.net.ServerSocket;

/** Ports from settings whose defaults are in the code or in the tree. */
public class Configured {
    void fromProperty() throws Exception {
        int port = Integer.parseInt(System.getProperty("flow.port", "9800"));
        new ServerSocket(port, 0, InetAddress.getLoopbackAddress()); // SHAPE: property-default
    }

    void fromPrefs(Context ctx) throws Exception {
        SharedPreferences prefs = ctx.getSharedPreferences("server", Context.MODE_PRIVATE);
        new ServerSocket(prefs.getInt("port", 2121)); // SHAPE: prefs-default
    }

    void fromResources(Context ctx) throws Exception {
        int port = ctx.getResources().getInteger(R.integer.server_port);
        String host = ctx.getString(R.string.server_host);
        new ServerSocket(port, 0, InetAddress.getByName(host)); // SHAPE: res-values
    }

    void fromBuildConfig() throws Exception {
        new ServerSocket(BuildConfig.ADMIN_PORT, 0, InetAddress.getLoopbackAddress()); // SHAPE: build-config
    }

    void fromEnv() throws Exception {
        new ServerSocket(Integer.parseInt(System.getenv().getOrDefault("FLOW_PORT", "9900"))); // SHAPE: env-default
    }
}
