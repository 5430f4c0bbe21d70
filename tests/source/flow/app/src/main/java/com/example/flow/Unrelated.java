package com.example.flow;

/** A class with a start(int) of its own: its callers are not Service's. */
public class Unrelated {
    void start(int port) {
    }

    void go() {
        new Unrelated().start(10003);
    }
}
