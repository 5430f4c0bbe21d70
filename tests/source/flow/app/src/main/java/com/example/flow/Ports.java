package com.example.flow;

public final class Ports {
    public static final int CONTROL = 9400;
    private Ports() {}
}
