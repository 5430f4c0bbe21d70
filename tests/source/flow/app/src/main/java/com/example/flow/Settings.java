package com.example.flow;

/** The first class of a getter chain. */
public class Settings {
    private final Defaults defaults = new Defaults();

    public int getPort() {
        return defaults.port();
    }
}
