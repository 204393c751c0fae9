package io.huibo.guards;

import com.google.i18n.phonenumbers.NumberParseException;
import com.google.i18n.phonenumbers.PhoneNumberUtil;
import com.google.i18n.phonenumbers.Phonenumber;
import io.huibo.config.HuiboConfig;
import io.huibo.domain.PhoneNumber;
import io.huibo.policy.NumberMetadata;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Which numbers may be dialed: deny prefixes beat everything, allow prefixes beat the categories, and the
 * categories premium-rate, satellite and international are refused unless allowed by name. Pure (no I/O):
 * the same rules answer at request time and again before each attempt.
 *
 * <p>A prefix with '+' is matched against the number in international form (a national number is read as
 * one of the home country, its international dialing prefix understood); a prefix without '+' against
 * the number as written (internal extension ranges).
 */
public final class DestinationRules {
    public enum Category {
        PREMIUM_RATE("premium-rate"), SATELLITE("satellite"), INTERNATIONAL("international");

        private final String wire;

        Category(String wire) {
            this.wire = wire;
        }

        public String wire() {
            return wire;
        }

        static Optional<Category> of(String s) {
            for (Category c : values()) {
                if (c.wire.equals(s.toLowerCase(Locale.ROOT))) {
                    return Optional.of(c);
                }
            }
            return Optional.empty();
        }
    }

    /** Why a number is refused: the guard (a metric label) and a sentence naming the rule. */
    public record Refusal(String guard, String rule) {
    }

    /** The non-geographic satellite codes (ITU: Global Mobile Satellite System 881, networks 882/883, Inmarsat 870). */
    static final List<String> SATELLITE_CODES = List.of("+881", "+882", "+883", "+870");
    private static final Pattern PREFIX = Pattern.compile("\\+?[0-9]{1,15}");
    private static final PhoneNumberUtil UTIL = PhoneNumberUtil.getInstance();

    private final int homeCode;
    private final String homeRegion;
    private final List<String> denyPrefixes;
    private final List<String> allowPrefixes;
    private final Set<Category> allowed;

    private DestinationRules(int homeCode, String homeRegion, List<String> allow, List<String> deny) {
        this.homeCode = homeCode;
        this.homeRegion = homeRegion;
        List<String> ap = new ArrayList<>();
        Set<Category> cats = new LinkedHashSet<>();
        for (String a : allow) {
            Optional<Category> c = Category.of(a);
            if (c.isPresent()) {
                cats.add(c.get());
            } else {
                ap.add(prefix(a, "allow"));
            }
        }
        List<String> dp = new ArrayList<>();
        for (String d : deny) {
            dp.add(prefix(d, "deny"));
        }
        this.allowPrefixes = List.copyOf(ap);
        this.denyPrefixes = List.copyOf(dp);
        this.allowed = Set.copyOf(cats);
    }

    public static DestinationRules of(HuiboConfig.Guards g) {
        return of(g.homeCountry(), g.allow(), g.deny());
    }

    /**
     * @param homeCountry an ISO region (CN) or a calling code (86, +86)
     * @throws IllegalArgumentException naming the bad setting
     */
    public static DestinationRules of(String homeCountry, List<String> allow, List<String> deny) {
        // built at start: the number data the checks need is read here, not on an event loop later
        NumberMetadata.loadAll();
        String h = homeCountry == null ? "" : homeCountry.trim();
        int code;
        String region;
        if (h.matches("\\+?[0-9]{1,3}")) {
            code = Integer.parseInt(h.replace("+", ""));
            region = UTIL.getRegionCodeForCountryCode(code);
            if ("ZZ".equals(region) || "001".equals(region)) {
                throw new IllegalArgumentException("guards.homeCountry: no country has the calling code " + h);
            }
        } else {
            region = h.toUpperCase(Locale.ROOT);
            code = UTIL.getCountryCodeForRegion(region);
            if (code == 0) {
                throw new IllegalArgumentException("guards.homeCountry must be an ISO country (CN) or a calling code "
                        + "(86): " + h);
            }
        }
        return new DestinationRules(code, region, allow, deny);
    }

    /** These rules with a key's own allow and deny entries added (a key's rules widen and narrow them). */
    public DestinationRules plus(List<String> allow, List<String> deny) {
        if (allow.isEmpty() && deny.isEmpty()) {
            return this;
        }
        List<String> a = new ArrayList<>(allowPrefixes);
        allowed.forEach(c -> a.add(c.wire()));
        a.addAll(allow);
        List<String> d = new ArrayList<>(denyPrefixes);
        d.addAll(deny);
        return new DestinationRules(homeCode, homeRegion, a, d);
    }

    /** Checks an allow or deny entry (for the API: 400 before anything is stored). */
    public static Optional<String> problem(String entry, boolean allowList) {
        if (entry == null || entry.isBlank()) {
            return Optional.of("an empty entry");
        }
        if (allowList && Category.of(entry.trim()).isPresent()) {
            return Optional.empty();
        }
        if (!PREFIX.matcher(entry.trim()).matches()) {
            return Optional.of("'" + entry + "' is not a prefix (digits, optionally after '+')"
                    + (allowList ? " or a category (premium-rate, satellite, international)" : ""));
        }
        return Optional.empty();
    }

    private static String prefix(String s, String list) {
        problem(s, false).ifPresent(p -> {
            throw new IllegalArgumentException("guards." + list + ": " + p);
        });
        return s.trim();
    }

    /** Empty when {@code n} may be dialed; otherwise the rule that refuses it. */
    public Optional<Refusal> check(PhoneNumber n) {
        String raw = n.value();
        Phonenumber.PhoneNumber parsed = parse(raw);
        String international = international(raw, parsed);
        Optional<Refusal> denied = denied(raw, international);
        if (denied.isPresent()) {
            return denied;
        }
        for (String p : allowPrefixes) {
            if (matches(p, raw, international)) {
                return Optional.empty();
            }
        }
        if (international == null) {
            // an internal extension or short code: no category applies
            return Optional.empty();
        }
        for (Category c : categories(parsed, international)) {
            if (!allowed.contains(c)) {
                return Optional.of(new Refusal(c.wire(), switch (c) {
                    case PREMIUM_RATE -> "premium-rate numbers are denied (allow premium-rate or a prefix)";
                    case SATELLITE -> "satellite numbers (" + String.join(" ", SATELLITE_CODES)
                            + ") are denied (allow satellite or a prefix)";
                    case INTERNATIONAL -> "numbers outside the home country (+" + homeCode
                            + ") are denied (allow international or a prefix)";
                }));
            }
        }
        return Optional.empty();
    }

    /**
     * Only the deny prefixes: what may refuse a number accepted earlier, whatever allowed it then (a key's
     * own allow entries are not stored with its callbacks, and a deny beats every allow anyway).
     */
    public Optional<Refusal> denied(PhoneNumber n) {
        if (denyPrefixes.isEmpty()) {
            return Optional.empty();
        }
        String raw = n.value();
        return denied(raw, international(raw, parse(raw)));
    }

    private Optional<Refusal> denied(String raw, String international) {
        for (String p : denyPrefixes) {
            if (matches(p, raw, international)) {
                return Optional.of(new Refusal("deny-prefix", "the prefix " + p + " is denied"));
            }
        }
        return Optional.empty();
    }

    private static String international(String raw, Phonenumber.PhoneNumber parsed) {
        return raw.startsWith("+") ? raw : parsed == null ? null : UTIL.format(parsed, PhoneNumberUtil.PhoneNumberFormat.E164);
    }

    /** The categories a number falls in, most specific first. */
    List<Category> categories(Phonenumber.PhoneNumber parsed, String international) {
        List<Category> out = new ArrayList<>();
        if (parsed != null && UTIL.getNumberType(parsed) == PhoneNumberUtil.PhoneNumberType.PREMIUM_RATE) {
            out.add(Category.PREMIUM_RATE);
        }
        if (SATELLITE_CODES.stream().anyMatch(international::startsWith)) {
            out.add(Category.SATELLITE);
        }
        int code = parsed != null ? parsed.getCountryCode() : -1;
        if (code != homeCode) {
            out.add(Category.INTERNATIONAL);
        }
        return out;
    }

    private static boolean matches(String prefix, String raw, String international) {
        return prefix.startsWith("+") ? international != null && international.startsWith(prefix)
                : raw.startsWith(prefix);
    }

    private Phonenumber.PhoneNumber parse(String raw) {
        try {
            Phonenumber.PhoneNumber p = UTIL.parse(raw, homeRegion);
            // a short extension parses as a "national number" of a few digits: not a number of the network
            if (!raw.startsWith("+") && !UTIL.isPossibleNumber(p)) {
                return null;
            }
            return p;
        } catch (NumberParseException e) {
            return null;
        }
    }
}
