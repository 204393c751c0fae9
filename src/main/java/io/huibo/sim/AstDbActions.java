package io.huibo.sim;

import java.util.Optional;

/**
 * The AMI actions of main/db.c (DBGet, DBPut, DBDel, DBDelTree) against a node's {@link AstDb}, with
 * Asterisk 20's responses byte for byte: the messages differ in their trailing dots as db.c's do.
 */
final class AstDbActions {
    private AstDbActions() {
    }

    static void dbGet(AmiSession s, AstDb db, AmiMessage a, String id) {
        String family = a.get("Family");
        String key = a.get("Key");
        if (!familyAndKeyGiven(s, id, family, key, ".")) {
            return;
        }
        Optional<String> val = db.get(family, key);
        if (val.isEmpty()) {
            s.send(error(id, "Database entry not found"));
            return;
        }
        s.send(response("Success", id).add("EventList", "start").add("Message", "Result will follow"));
        // db.c writes this event by hand: no Privilege, ActionID last
        s.send(new AmiMessage().add("Event", "DBGetResponse").add("Family", family).add("Key", key)
            .add("Val", val.get()).addIf(!blank(id), "ActionID", id));
        s.send(new AmiMessage().add("Event", "DBGetComplete").addIf(!blank(id), "ActionID", id)
            .add("EventList", "Complete").add("ListItems", 1));
    }

    static void dbPut(AmiSession s, AstDb db, AmiMessage a, String id) {
        String family = a.get("Family");
        String key = a.get("Key");
        if (!familyAndKeyGiven(s, id, family, key, "")) {
            return;
        }
        String val = a.get("Val");
        db.put(family, key, val == null ? "" : val);
        s.send(response("Success", id).add("Message", "Updated database successfully"));
    }

    static void dbDel(AmiSession s, AstDb db, AmiMessage a, String id) {
        String family = a.get("Family");
        String key = a.get("Key");
        if (!familyAndKeyGiven(s, id, family, key, ".")) {
            return;
        }
        s.send(db.del(family, key)
            ? response("Success", id).add("Message", "Key deleted successfully")
            : error(id, "Database entry could not be deleted"));
    }

    static void dbDelTree(AmiSession s, AstDb db, AmiMessage a, String id) {
        String family = a.get("Family");
        if (blank(family)) {
            s.send(error(id, "No family specified."));
            return;
        }
        String key = a.get("Key");
        s.send(db.delTree(family, blank(key) ? null : key) > 0
            ? response("Success", id).add("Message", "Key tree deleted successfully")
            : error(id, "Database entry not found"));
    }

    /** Answers db.c's error when one is missing; {@code dot}: DBPut's messages end without one. */
    private static boolean familyAndKeyGiven(AmiSession s, String id, String family, String key, String dot) {
        if (blank(family)) {
            s.send(error(id, "No family specified" + dot));
            return false;
        }
        if (blank(key)) {
            s.send(error(id, "No key specified" + dot));
            return false;
        }
        return true;
    }

    /** manager.c echoes ActionID only when it is not empty. */
    private static AmiMessage response(String response, String id) {
        return AmiMessage.response(response, blank(id) ? null : id);
    }

    private static AmiMessage error(String id, String message) {
        return response("Error", id).add("Message", message);
    }

    private static boolean blank(String s) {
        return s == null || s.isEmpty();
    }
}
