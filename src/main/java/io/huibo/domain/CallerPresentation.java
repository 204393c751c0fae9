package io.huibo.domain;

import java.util.regex.Pattern;

/**
 * Whom each leg sees calling. The dialplan sets CALLERID before every Dial() from what this decides,
 * because otherwise a leg dialed from the Local channel shows its extension ({@code s}) and a leg A
 * without a caller ID goes out as Anonymous, which many carriers reject.
 *
 * <p>The customer (the person who asked to be called back) sees the callback's own {@code callerId},
 * else the business number. The destination (an agent, a queue) sees the customer's number, so the
 * agent knows who is on the line, unless the business number is configured for agents too.
 *
 * @param businessNumber    shown to customers whose callback names no caller ID; null: none configured
 * @param businessName      caller name shown with it; empty for none
 * @param agentSeesCustomer the destination sees the customer's number (else the business identity)
 */
public record CallerPresentation(PhoneNumber businessNumber, String businessName, boolean agentSeesCustomer) {

    /** Printable and harmless in a dialplan value and a SIP display name: no quotes, commas, brackets. */
    private static final Pattern NAME = Pattern.compile("[\\p{L}\\p{N} .'&_-]{0,40}");

    /** The identity presented on one leg; {@code number} empty when there is none to show. */
    public record Identity(String number, String name) {
    }

    public CallerPresentation {
        businessName = businessName == null ? "" : businessName.trim();
        if (!NAME.matcher(businessName).matches()) {
            throw new IllegalArgumentException(
                    "caller name must be at most 40 letters, digits, spaces or . ' & _ -");
        }
    }

    /** Nothing configured: customers see only a callback's own caller ID, agents the customer. */
    public static CallerPresentation none() {
        return new CallerPresentation(null, "", true);
    }

    public static boolean validName(String name) {
        return name != null && NAME.matcher(name.trim()).matches();
    }

    public Identity forLeg(Callback cb, Leg leg) {
        boolean customerLeg = (leg == Leg.A) == (cb.flow() == CallFlow.CUSTOMER_FIRST);
        if (!customerLeg && agentSeesCustomer) {
            return new Identity(cb.number().value(), "");
        }
        if (cb.callerId() != null && PhoneNumber.isValid(cb.callerId())) {
            return new Identity(cb.callerId(), businessName);
        }
        return new Identity(businessNumber == null ? "" : businessNumber.value(), businessName);
    }
}
