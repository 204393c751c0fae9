package io.huibo;
public class Main { public static void main(String[] a) {} }
