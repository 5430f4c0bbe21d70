package com.example.flow;

/** The second class of the getter chain: a getter that returns a constant field. */
public class Defaults {
    private static final int PORT = 9600;

    public int port() {
        return PORT;
    }
}
