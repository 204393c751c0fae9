package io.huibo.service;

import io.huibo.domain.PhoneNumber;

/**
 * Digits a caller keyed in by DTMF, as a number to call: 2-20 plain digits, nothing else. Read()
 * itself returns only 0-9, * and #, but anything on the FastAGI allowlist can send any text, so
 * every door that takes keyed digits (route's collected destination, the dial-in hook) checks here.
 */
public final class DialinDigits {

    private DialinDigits() {
    }

    /** The number, or null when the digits cannot be one. */
    public static PhoneNumber number(String keyed) {
        if (keyed == null || keyed.length() < 2 || keyed.length() > 20) {
            return null;
        }
        for (int i = 0; i < keyed.length(); i++) {
            char c = keyed.charAt(i);
            if (c < '0' || c > '9') {
                return null;
            }
        }
        return PhoneNumber.isValid(keyed) ? PhoneNumber.of(keyed) : null;
    }
}
