package io.huibo.pbx.ami;

import org.asteriskjava.manager.ResponseEvents;
import org.asteriskjava.manager.event.DbGetResponseEvent;
import org.asteriskjava.manager.event.ResponseEvent;
import org.asteriskjava.manager.response.ManagerError;
import org.asteriskjava.manager.response.ManagerResponse;

import java.io.IOException;

/**
 * Reads the answer to one AMI {@code DBGet} as Asterisk 20 gives it (main/db.c {@code manager_dbget}):
 * a missing entry is {@code Response: Error} with {@code Message: Database entry not found}; an entry is
 * {@code Response: Success} ({@code EventList: start}), a {@code DBGetResponse} event with its
 * {@code Val}, then {@code DBGetComplete}. asterisk-java's DbGetAction completes on the DBGetResponse
 * event, so the trailing DBGetComplete never reaches us here.
 *
 * <p>Only "not found" means "nothing remembered": any other refusal (e.g. {@code Permission denied}
 * for a user without class reporting) or an answer without the event means the node could not be
 * asked, which the caller must not mistake for an empty memory.
 */
final class AstDbAnswer {
    static final String NOT_FOUND = "Database entry not found";

    private AstDbAnswer() {
    }

    /** The entry's value; null when the node has no such entry. */
    static String value(ResponseEvents re) throws IOException {
        ManagerResponse r = re == null ? null : re.getResponse();
        if (r == null) {
            throw new IOException("DBGet got no response");
        }
        if (r instanceof ManagerError || "Error".equalsIgnoreCase(r.getResponse())) {
            String m = r.getMessage() == null ? "" : r.getMessage().trim();
            if (NOT_FOUND.equalsIgnoreCase(m)) {
                return null;
            }
            throw new IOException("DBGet refused: " + m);
        }
        for (ResponseEvent e : re.getEvents()) {
            if (e instanceof DbGetResponseEvent g) {
                // asterisk-java trims header values; an empty Val is still an entry
                return g.getVal() == null ? "" : g.getVal();
            }
        }
        throw new IOException("DBGet answered " + r.getResponse() + " without a DBGetResponse");
    }
}
