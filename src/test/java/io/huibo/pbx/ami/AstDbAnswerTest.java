package io.huibo.pbx.ami;

import org.asteriskjava.manager.ResponseEvents;
import org.asteriskjava.manager.action.DbGetAction;
import org.asteriskjava.manager.event.ResponseEvent;
import org.asteriskjava.manager.response.ManagerResponse;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * DBGet answers in the bytes Asterisk 20 writes (main/db.c manager_dbget), built into asterisk-java
 * objects by asterisk-java's own builders and collected as its sendEventGeneratingAction does: the
 * response, then response events until the action's complete-event class (DBGetResponse).
 */
class AstDbAnswerTest {
    static final String FOUND = "Response: Success\r\nActionID: m1\r\nEventList: start\r\n"
            + "Message: Result will follow\r\n\r\n"
            + "Event: DBGetResponse\r\nFamily: huibo\r\nKey: 20261125/01JCB-1/a\r\nVal: BUSY:17\r\nActionID: m1\r\n\r\n"
            + "Event: DBGetComplete\r\nActionID: m1\r\nEventList: Complete\r\nListItems: 1\r\n\r\n";
    static final String MISSING = "Response: Error\r\nActionID: m1\r\nMessage: Database entry not found\r\n\r\n";
    static final String DENIED = "Response: Error\r\nActionID: m1\r\nMessage: Permission denied\r\n\r\n";

    /** What asterisk-java's ResponseEventHandler hands back for these bytes. */
    private static ResponseEvents collected(String bytes) throws Exception {
        Class<?> complete = new DbGetAction().getActionCompleteEventClass();
        ManagerResponse response = null;
        List<ResponseEvent> events = new ArrayList<>();
        for (AmiTrace.Message m : AmiTrace.messages(bytes)) {
            Object o = AmiTrace.build(m);
            if (o instanceof ManagerResponse r) {
                response = r;
            } else if (o instanceof ResponseEvent e) {
                events.add(e);
                if (complete.isInstance(e)) {
                    break;
                }
            }
        }
        ManagerResponse r = response;
        return new ResponseEvents() {
            @Override
            public ManagerResponse getResponse() {
                return r;
            }

            @Override
            public Collection<ResponseEvent> getEvents() {
                return events;
            }
        };
    }

    @Test
    void entryIsTheValOfTheDbGetResponseEvent() throws Exception {
        assertThat(AstDbAnswer.value(collected(FOUND))).isEqualTo("BUSY:17");
    }

    @Test
    void databaseEntryNotFoundIsNoEntryNotAFailure() throws Exception {
        assertThat(AstDbAnswer.value(collected(MISSING))).isNull();
    }

    @Test
    void anyOtherRefusalMeansTheNodeCouldNotBeAsked() {
        assertThatThrownBy(() -> AstDbAnswer.value(collected(DENIED))).isInstanceOf(IOException.class)
                .hasMessageContaining("Permission denied");
    }

    @Test
    void successWithoutItsEventIsNotAnEmptyMemory() {
        // a connection lost between the response and the event: asterisk-java returns what it had
        String cut = FOUND.substring(0, FOUND.indexOf("Event: DBGetResponse"));
        assertThatThrownBy(() -> AstDbAnswer.value(collected(cut))).isInstanceOf(IOException.class);
    }

    @Test
    void noResponseAtAllIsAFailure() {
        assertThatThrownBy(() -> AstDbAnswer.value(null)).isInstanceOf(IOException.class);
    }
}
