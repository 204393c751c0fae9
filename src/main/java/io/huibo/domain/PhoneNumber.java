package io.huibo.domain;

import java.util.regex.Pattern;

/**
 * A number that may reach a dial string: digits with an optional leading '+', nothing else.
 * Constructing one is the only way to get a number into a dial string, so an injection
 * ('&', ',', '/', '|', ';', whitespace, newline) cannot be built by construction.
 */
public record PhoneNumber(String value) {

    /** E.164: '+', a non-zero country digit, at most 15 digits in all. */
    private static final Pattern E164 = Pattern.compile("\\+[1-9][0-9]{5,14}");
    /** Digits only: national numbers, extensions, queue numbers (2 to 20 digits). */
    private static final Pattern DIGITS = Pattern.compile("[0-9]{2,20}");

    public PhoneNumber {
        if (value == null || !(E164.matcher(value).matches() || DIGITS.matcher(value).matches())) {
            throw new IllegalArgumentException("not a phone number (digits with optional leading +)");
        }
    }

    /** A number in international E.164 form, as required for the person asking to be called. */
    public static PhoneNumber e164(String value) {
        if (value == null || !E164.matcher(value).matches()) {
            throw new IllegalArgumentException("not an E.164 number (+ and 6 to 15 digits)");
        }
        return new PhoneNumber(value);
    }

    /** E.164 or plain digits (an extension or queue number). */
    public static PhoneNumber of(String value) {
        return new PhoneNumber(value);
    }

    public static boolean isValid(String value) {
        return value != null && (E164.matcher(value).matches() || DIGITS.matcher(value).matches());
    }

    @Override
    public String toString() {
        return value;
    }
}
