package io.huibo.policy;

import com.google.i18n.phonenumbers.NumberParseException;
import com.google.i18n.phonenumbers.PhoneNumberToTimeZonesMapper;
import com.google.i18n.phonenumbers.PhoneNumberUtil;
import io.huibo.domain.PhoneNumber;
import java.time.DateTimeException;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The time zones a number may be in, from libphonenumber's data (a fixed line's area code narrows it,
 * a mobile number often names the whole country). No data (an unknown or non-E.164 number): no zones,
 * and the quiet hours then allow every minute: a callback is never stuck on a number's missing data.
 */
public final class CalleeZones {
    private static final Set<String> IDS = ZoneId.getAvailableZoneIds();
    private final PhoneNumberToTimeZonesMapper mapper;
    private final PhoneNumberUtil util = PhoneNumberUtil.getInstance();

    /** Loads the data (resources, once): build it at start, not on an event loop. */
    public CalleeZones() {
        this.mapper = PhoneNumberToTimeZonesMapper.getInstance();
        NumberMetadata.loadAll();
        // the zone data is read on first use too
        zones(PhoneNumber.e164("+8613800138000"));
    }

    public List<ZoneId> zones(PhoneNumber number) {
        if (number == null || !number.value().startsWith("+")) {
            return List.of();
        }
        try {
            var parsed = util.parse(number.value(), "ZZ");
            List<ZoneId> out = new ArrayList<>();
            for (String id : mapper.getTimeZonesForNumber(parsed)) {
                if (!id.equals(PhoneNumberToTimeZonesMapper.getUnknownTimeZone()) && IDS.contains(id)) {
                    out.add(ZoneId.of(id));
                }
            }
            return List.copyOf(out);
        } catch (NumberParseException | DateTimeException e) {
            return List.of();
        }
    }

    /** An IANA zone id, as a request may name it ({@code Europe/Berlin}); offsets like +02:00 are not. */
    public static boolean validZone(String id) {
        return id != null && IDS.contains(id);
    }
}
