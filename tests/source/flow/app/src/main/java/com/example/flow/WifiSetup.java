package com.example.flow;

public class WifiSetup {
    void onConnected(android.net.wifi.WifiInfo info) throws Exception {
        RuntimeAddress.configure(formatIp(info.getIpAddress()));
    }

    static String formatIp(int ip) {
        return (ip & 0xff) + "." + ((ip >> 8) & 0xff) + "." + ((ip >> 16) & 0xff) + "." + (ip >> 24);
    }
}
