package io.huibo.sim.dialplan;

/** What the running side can execute; the parser refuses a file that asks for anything else. */
public interface Capabilities {
    boolean hasApp(String name);

    boolean hasFunction(String name);

    /** Dial() option letters (each may take a parenthesised argument). */
    boolean hasDialOption(char option);
}
