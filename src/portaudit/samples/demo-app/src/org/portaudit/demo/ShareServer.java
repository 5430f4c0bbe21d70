package org.portaudit.demo;

import fi.iki.elonen.NanoHTTPD;

/** "Share with nearby devices": serves a folder over HTTP on port 8080 (all interfaces). */
public class ShareServer extends NanoHTTPD {
    private final String root;

    public ShareServer(String root) {
        super(8080);
        this.root = root;
    }

    public String root() {
        return root;
    }
}
