package io.huibo.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class SseReaderTest {
    private final List<SseReader.Frame> frames = new ArrayList<>();
    private final SseReader reader = new SseReader(frames::add);

    private void feed(String text) {
        text.lines().forEach(reader::line);
        if (text.endsWith("\n\n")) {
            reader.line("");
        }
    }

    @Test
    void framesEndAtABlankLineAndCommentsAreSkipped() {
        feed("retry: 2000\n: huibo events\n\nid: 7\nevent: state\ndata: {\"a\":1}\n\n: heartbeat\n\nid: 8\ndata:{\"b\":2}\n\n");
        assertThat(frames).containsExactly(new SseReader.Frame("7", "state", "{\"a\":1}"),
                new SseReader.Frame("8", "message", "{\"b\":2}"));
        assertThat(reader.lastId()).isEqualTo("8");
    }

    @Test
    void dataLinesJoinWithNewlinesAndAFrameWithoutDataOnlyMovesTheId() {
        feed("data: one\ndata: two\n\nid: 9\n\n");
        assertThat(frames).containsExactly(new SseReader.Frame(null, "message", "one\ntwo"));
        assertThat(reader.lastId()).isEqualTo("9");
    }

    @Test
    void anUnfinishedFrameIsNotHandedOn() {
        reader.line("id: 10");
        reader.line("data: half");
        assertThat(frames).isEmpty();
        assertThat(reader.lastId()).isNull();
    }

    @Test
    void progressBar() {
        assertThat(CallbackImportCommand.Progress.bar(0, 10, 0)).isEqualTo("[------------------------------] 0/10 rows");
        assertThat(CallbackImportCommand.Progress.bar(5, 10, 2)).isEqualTo("[###############---------------] 5/10 rows, 2 not stored");
        assertThat(CallbackImportCommand.Progress.bar(0, 0, 0)).startsWith("[##############################]");
    }
}
