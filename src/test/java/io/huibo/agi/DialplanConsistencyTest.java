package io.huibo.agi;

import static org.assertj.core.api.Assertions.assertThat;

import io.huibo.domain.CallState;
import io.huibo.domain.Callback;
import io.huibo.domain.CallbackIds;
import io.huibo.routing.DialTemplate;
import io.huibo.routing.StaticRoutes;
import io.huibo.service.DialinHook;
import io.huibo.service.DialinResult;
import io.vertx.core.Future;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * dialplan/huibo.conf and the AGI scripts must agree: every script it calls is registered, every
 * variable a script sets is read by the dialplan or documented as not read (in huibo.conf and the
 * README), and whatever else the dialplan reads comes from the Originate or Asterisk and is documented.
 */
class DialplanConsistencyTest {

    private static final Path DIALPLAN = Path.of("dialplan", "huibo.conf");
    private static final Path README = Path.of("dialplan", "README.md");
    /** Call-back scripts go through [huibo-agi] (it falls back over HUIBO_AGI, HUIBO_AGI_2, ...); dial-in asks HUIBO_DIALIN_AGI. */
    private static final Pattern AGI_CALL = Pattern.compile(
            "(?:Gosub\\(huibo-agi,s,1\\(|AGI\\(agi://\\$\\{HUIBO_DIALIN_AGI\\}/)([A-Za-z0-9_-]+)(\\?[^,)]*)?");
    /** The one AGI() of [huibo-agi]: the script and its arguments as the Gosub passed them. */
    private static final String AGI_FALLBACK = "AGI(agi://${addr}/${ARG1},${ARG2},${ARG3},${ARG4},${ARG5},${ARG6})";
    private static final Pattern VAR_READ = Pattern.compile("\\$\\{([A-Z0-9_]+)\\}");
    private static final Pattern SET_VAR = Pattern.compile("^SET VARIABLE ([A-Z0-9_]+) ");
    /** Set by Asterisk itself, or read as a pattern (HUIBO_DIAL_${HUIBO_TRY}: the HUIBO_DIAL_<n> route puts). */
    private static final Set<String> FROM_ASTERISK = Set.of("DIALSTATUS", "HANGUPCAUSE", "EXTEN", "AGISTATUS",
            "ARG1", "ARG2", "ARG3", "ARG4", "ARG5", "ARG6");

    record Line(String code, String comment) {
    }

    static List<Line> lines() throws IOException {
        List<Line> out = new ArrayList<>();
        for (String raw : Files.readAllLines(DIALPLAN)) {
            int semi = raw.indexOf(';');
            out.add(semi < 0 ? new Line(raw.strip(), "") : new Line(raw.substring(0, semi).strip(), raw.substring(semi + 1)));
        }
        return out;
    }

    static DialinHook noDialin() {
        return answering(DialinResult.refused("not-in-this-test"));
    }

    static DialinHook answering(DialinResult dialinAnswer) {
        return new DialinHook() {
            @Override
            public boolean accessAllowed(String dialed) {
                return true;
            }

            @Override
            public Future<DialinResult> call(String c) {
                return Future.succeededFuture(dialinAnswer);
            }

            @Override
            public Future<DialinResult> pin(String c, String p) {
                return Future.succeededFuture(dialinAnswer);
            }

            @Override
            public Future<DialinResult> destination(String c, String d, String p) {
                return Future.succeededFuture(dialinAnswer);
            }
        };
    }

    static AgiScripts registry(Callback cb, DialinResult dialinAnswer) {
        DialinHook hook = answering(dialinAnswer);
        return AgiScripts.forHuibo(
                new StaticRoutes(List.of(DialTemplate.parse("PJSIP/{number}@trunk")),
                        List.of(DialTemplate.parse("PJSIP/{number}@trunk"), DialTemplate.parse("PJSIP/{number}@backup"))),
                id -> Future.succeededFuture(Optional.ofNullable(cb)),
                (id, d) -> Future.succeededFuture(Optional.of(d)),
                t -> Future.succeededFuture(), new RouteHandouts(), hook, 30,
                // a business name, so that every variable the script can send is sent
                new io.huibo.domain.CallerPresentation(io.huibo.domain.PhoneNumber.of("+4930900900"), "Acme", true),
                RouteScriptTest.CLOCK);
    }

    @Test
    void everyScriptTheDialplanCallsIsRegistered() throws IOException {
        Set<String> called = new LinkedHashSet<>();
        for (Line l : lines()) {
            Matcher m = AGI_CALL.matcher(l.code());
            while (m.find()) {
                called.add(m.group(1));
            }
            if (l.code().contains("AGI(") && !l.code().contains(AGI_FALLBACK)) {
                assertThat(AGI_CALL.matcher(l.code()).find())
                        .as("AGI call neither through [huibo-agi] nor to ${HUIBO_DIALIN_AGI}: %s", l.code()).isTrue();
            }
        }
        assertThat(called).containsExactlyInAnyOrder("route", "report", "dialin");
        assertThat(registry(null, DialinResult.refused("x")).names()).containsAll(called);
    }

    /**
     * Every prompt the dialplan plays ships as a file Asterisk plays as it is (8 kHz mono 16-bit PCM WAV),
     * generated from its text in dialplan/sounds/prompts.txt by scripts/prompts; no file without a text.
     */
    @Test
    void everyPromptTheDialplanPlaysShipsWithItsText() throws Exception {
        Set<String> played = new LinkedHashSet<>();
        Matcher m = Pattern.compile("(?:Playback\\(|Read\\([A-Z_]+,)huibo/([a-z0-9-]+)")
                .matcher(String.join("\n", lines().stream().map(Line::code).toList()));
        while (m.find()) {
            played.add(m.group(1));
        }
        assertThat(played).contains("press-1-to-connect", "enter-destination", "enter-pin", "we-will-call-you-back");
        Set<String> texts = new LinkedHashSet<>();
        for (String l : Files.readAllLines(Path.of("dialplan", "sounds", "prompts.txt"))) {
            if (!l.isBlank() && !l.startsWith("#")) {
                assertThat(l).as("prompts.txt: <name> <text>").matches("[a-z0-9-]+ \\S.*");
                texts.add(l.substring(0, l.indexOf(' ')));
            }
        }
        assertThat(texts).as("prompts with a text").hasSameElementsAs(played);
        Path dir = Path.of("dialplan", "sounds", "en", "huibo");
        try (var files = Files.list(dir)) {
            assertThat(files.map(f -> f.getFileName().toString().replaceFirst("\\.wav$", "")).toList())
                    .as("files in %s", dir).hasSameElementsAs(played);
        }
        for (String name : played) {
            var format = javax.sound.sampled.AudioSystem.getAudioFileFormat(dir.resolve(name + ".wav").toFile());
            assertThat(format.getType()).as(name).isEqualTo(javax.sound.sampled.AudioFileFormat.Type.WAVE);
            var audio = format.getFormat();
            assertThat(audio.getEncoding()).as(name).isEqualTo(javax.sound.sampled.AudioFormat.Encoding.PCM_SIGNED);
            assertThat(audio.getSampleRate()).as(name).isEqualTo(8000f);
            assertThat(audio.getChannels()).as(name).isEqualTo(1);
            assertThat(audio.getSampleSizeInBits()).as(name).isEqualTo(16);
            assertThat(format.getFrameLength() / audio.getSampleRate()).as("%s seconds", name).isGreaterThan(0.5f);
        }
    }

    @Test
    void theContextsAreThoseOfTheContractAndEveryLineIsCommented() throws IOException {
        List<String> contexts = new ArrayList<>();
        for (Line l : lines()) {
            if (l.code().startsWith("[")) {
                contexts.add(l.code());
            }
            if (!l.code().isEmpty()) {
                assertThat(l.comment()).as("every dialplan line is commented: %s", l.code()).isNotBlank();
            }
        }
        assertThat(contexts).containsExactly("[huibo-leg-a]", "[huibo-connect]", "[huibo-agi]", "[huibo-memo]",
                "[huibo-answered]", "[huibo-dialin]");
        String code = String.join("\n", lines().stream().map(Line::code).toList());
        assertThat(code).contains("Gosub(huibo-agi,s,1(route?leg=a,${HUIBO_CALLBACK},${HUIBO_ATTEMPT}))")
                .contains("Gosub(huibo-agi,s,1(route?leg=b,${HUIBO_CALLBACK},${HUIBO_ATTEMPT}))")
                .contains("Gosub(huibo-agi,s,1(route?leg=b&collected=1,${HUIBO_CALLBACK},${HUIBO_ATTEMPT},${HUIBO_DEST}))")
                .contains("report?leg=a,${HUIBO_CALLBACK},${HUIBO_ATTEMPT},${HUIBO_TRY},${DIALSTATUS},${HANGUPCAUSE}))")
                .contains(AGI_FALLBACK)
                .contains("Set(LOCAL(addr)=${HUIBO_AGI_${i}})")
                .contains("Dial(${HUIBO_DIAL_${HUIBO_TRY}},${HUIBO_RING_TIMEOUT},S(${HUIBO_MAXSEC}))")
                .contains("Dial(${HUIBO_DIAL_${HUIBO_TRY}},${HUIBO_RING_TIMEOUT},IU(huibo-answered^${HUIBO_MEMO})S(${HUIBO_MAXSEC}))")
                .contains("Set(CALLERID(num)=${HUIBO_CID})")
                .contains("Set(CALLERID(name)=${HUIBO_CIDNAME})")
                .contains("Gosub(huibo-memo,s,1(b,UNCONFIRMED:${HANGUPCAUSE}))")
                .contains("Set(DB(huibo/${HUIBO_MEMO}/${ARG1})=${ARG2})")
                .contains("n(unconfirmed),Hangup(19)")
                .contains("n(failed),Hangup(38)");
    }

    /** Runs every script the way the dialplan calls it, for every kind of answer, and collects what it sets. */
    static Set<String> variablesHuiboSets() {
        String id = CallbackIds.next();
        Callback routed = RouteScriptTest.callback(id, "+4930111111", "200", CallState.DIALING, 1);
        Callback collect = RouteScriptTest.callback(id, "+4930111111", null, CallState.DIALING, 1);
        List<String> commands = new ArrayList<>();
        for (Callback cb : List.of(routed, collect)) {
            AgiScripts r = registry(cb, DialinResult.queued(id));
            for (AgiRequest req : List.of(RouteScriptTest.request("a", id, "1"), RouteScriptTest.request("b", id, "1"),
                    RouteScriptTest.request("a", id, "7"),
                    RouteScriptTest.requestWith("route?leg=b&collected=1", id, "1", "0301234"),
                    RouteScriptTest.requestWith("report?leg=b", id, "1", "1", "CONGESTION", "34"),
                    RouteScriptTest.requestWith("report?leg=b", id, "1", "1", "BUSY", "17"),
                    RouteScriptTest.requestWith("report?leg=b", "bad", "1", "1", "BUSY", "17"))) {
                commands.addAll(RouteScriptTest.run(r.find(req.script()), req).commands);
            }
        }
        for (DialinResult answer : List.of(DialinResult.queued(id), DialinResult.ask(DialinResult.Kind.PIN),
                DialinResult.refused("unknown-caller"))) {
            AgiScripts r = registry(routed, answer);
            commands.addAll(RouteScriptTest.run(r.find("dialin"), DialinScriptTest.dialin("access=5000", "1001")).commands);
        }
        Set<String> set = new LinkedHashSet<>();
        for (String c : commands) {
            Matcher m = SET_VAR.matcher(c);
            assertThat(m.find()).as(c).isTrue();
            // HUIBO_DIAL_<n> is one variable family: the dialplan reads it as HUIBO_DIAL_${HUIBO_TRY}
            set.add(m.group(1).matches("HUIBO_DIAL_[1-9][0-9]*") ? "HUIBO_DIAL_1" : m.group(1));
        }
        return set;
    }

    @Test
    void everyVariableHuiboSetsIsReadOrDocumented() throws IOException {
        Set<String> set = variablesHuiboSets();
        Set<String> declared = new LinkedHashSet<>();
        declared.addAll(RouteScript.VARIABLES);
        declared.addAll(ReportScript.VARIABLES);
        declared.addAll(DialinScript.VARIABLES);
        assertThat(set).as("what the scripts really send is what they declare").hasSameElementsAs(declared);

        Set<String> read = new LinkedHashSet<>();
        StringBuilder comments = new StringBuilder();
        for (Line l : lines()) {
            Matcher m = VAR_READ.matcher(l.code());
            while (m.find()) {
                read.add(m.group(1));
            }
            comments.append(l.comment()).append('\n');
        }
        if (lines().stream().anyMatch(l -> l.code().contains("${HUIBO_DIAL_${HUIBO_TRY}}"))) {
            read.add("HUIBO_DIAL_1"); // the dialplan reads HUIBO_DIAL_<n> through ${HUIBO_TRY}
        }
        String readme = Files.readString(README);
        for (String v : set) {
            boolean used = read.contains(v);
            boolean documented = comments.toString().contains(v) && readme.contains(v);
            assertThat(used || documented).as("%s is neither read by the dialplan nor documented", v).isTrue();
        }
        assertThat(read).as("variables the dialplan reads").contains("HUIBO_DIAL_1", "HUIBO_CID", "HUIBO_CIDNAME",
                "HUIBO_DIAL_COUNT",
                "HUIBO_RING_TIMEOUT", "HUIBO_COLLECT", "HUIBO_NEXT", "HUIBO_RESULT");
        // variables the dialplan assigns itself: Set(X=...), Read(X,...)
        Set<String> local = new LinkedHashSet<>();
        Matcher assign = Pattern.compile("(?:Set|Read)\\(([A-Z0-9_]+)[=,]").matcher(
                String.join("\n", lines().stream().map(Line::code).toList()));
        while (assign.find()) {
            local.add(assign.group(1));
        }
        assertThat(local).contains("HUIBO_TRY", "HUIBO_DEST", "HUIBO_DIGIT", "HUIBO_PIN");
        for (String v : read) {
            if (!set.contains(v) && !FROM_ASTERISK.contains(v) && !local.contains(v)) {
                assertThat(comments.toString()).as("%s documented in huibo.conf", v).contains(v);
                assertThat(readme).as("%s documented in README", v).contains(v);
            }
        }
    }
}
