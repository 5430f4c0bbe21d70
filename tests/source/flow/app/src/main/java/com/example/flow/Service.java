package com.example.flow;

/** Level 2: a wrapper of the wrapper, in another file. */
public class Service {
    private final Listener listener = new Listener();

    void start(int port) throws Exception {
        listener.open(port);
    }
}
