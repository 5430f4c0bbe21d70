package com.example.flow;

import java.net.ServerSocket;

/** Level 1 of a two-level wrapper: the listener call. */
public class Listener {
    ServerSocket open(int port) throws Exception {
        return new ServerSocket(port); // SHAPE: two-level-wrapper
    }
}
