package io.huibo.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.huibo.Stack;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.logging.Level;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The dashboard in a real browser (headless Chromium driven by Selenium) against Huibo and the simulator:
 * log in with the API key, request a callback through the form and watch it complete on the page (state
 * and outcome arrive over the live stream), open its attempts, drain a node with its button and resume it.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DashboardIT {
    private static final Duration WAIT = Duration.ofSeconds(20);
    /** Busy, then no answer, then answers: the callback the screenshot opens. */
    private static final String RETRIED = "+8613800009990";

    private Stack stack;
    private Stack.Proc sim;
    private Stack.Proc huibo;
    private ChromeDriver browser;

    @BeforeAll
    void up() throws Exception {
        assumeTrue(HeadlessChromium.installed(), "chromium and chromium-driver are not installed (scripts/test installs them)");
        stack = new Stack();
        // talks long enough for the page to show the call in progress
        sim = stack.sim(2, 20, """
                defaults:
                  talk: 2s
                numbers:
                  "%s":
                    outcomes: [busy, noanswer, answer]
                """.formatted(RETRIED));
        huibo = stack.huibo(stack.huiboEnv(sim, 10));
        browser = HeadlessChromium.start(1440, 1400);
    }

    @AfterAll
    void down() throws Exception {
        if (browser != null) {
            browser.quit();
        }
        if (stack != null) {
            stack.close();
        }
    }

    private WebDriverWait waiting(Duration d) {
        WebDriverWait w = new WebDriverWait(browser, d, Duration.ofMillis(100));
        w.withMessage(this::pageState);
        // the page redraws its tables as events arrive: an element found may be replaced before it is read
        w.ignoring(StaleElementReferenceException.class);
        return w;
    }

    /** What the page showed and logged, for a wait that ran out. */
    private String pageState() {
        StringBuilder b = new StringBuilder("\n--- console:\n");
        try {
            browser.manage().logs().get(LogType.BROWSER).forEach(e -> b.append(e).append('\n'));
            b.append("--- page text:\n").append(browser.findElement(By.tagName("body")).getText());
        } catch (RuntimeException e) {
            b.append(e);
        }
        return b.toString();
    }

    private WebElement visible(String css) {
        return waiting(WAIT).until(ExpectedConditions.visibilityOfElementLocated(By.cssSelector(css)));
    }

    /** The page as a new tab sees it: no key kept, the console read (and so emptied). */
    private void freshPage() {
        browser.get(stack.api(huibo) + "/");
        browser.executeScript("sessionStorage.clear()");
        browser.navigate().refresh();
        browser.manage().logs().get(LogType.BROWSER);
    }

    private void logIn() {
        freshPage();
        visible("#login-token").sendKeys(Stack.TOKEN);
        browser.findElement(By.id("login-submit")).click();
        visible("#app");
        waiting(WAIT).until(d -> ((Number) browser.executeScript("return [...document.querySelectorAll("
                + "'#nodes-table tr[data-node] td.state')].filter(e => e.innerText.startsWith('connected')).length"))
                .intValue() == 2);
        waiting(WAIT).until(ExpectedConditions.textToBe(By.id("live"), "live"));
    }

    /** The text of the first element matching {@code css}, read in one step (null: none). */
    private String text(String css) {
        return (String) browser.executeScript(
                "const e = document.querySelector(arguments[0]); return e ? e.innerText.trim() : null", css);
    }

    private String cell(String id, String field) {
        return text("#callbacks-table tr[data-id='" + id + "'] td." + field);
    }

    private void click(String css) {
        waiting(WAIT).until(d -> {
            d.findElement(By.cssSelector(css)).click();
            return true;
        });
    }

    private JsonObject node(String id) throws Exception {
        JsonArray nodes = new JsonArray(stack.get(stack.api(huibo) + "/v1/nodes", Stack.TOKEN).body());
        for (int i = 0; i < nodes.size(); i++) {
            if (id.equals(nodes.getJsonObject(i).getString("id"))) {
                return nodes.getJsonObject(i);
            }
        }
        throw new AssertionError("no node " + id + " in " + nodes);
    }

    @Test
    void aCallbackRequestedOnThePageCompletesThereAndANodeIsDrainedWithItsButton() throws Exception {
        logIn();
        // the key is kept in this tab's sessionStorage and sent as a header, never in a URL
        assertThat(browser.getCurrentUrl()).doesNotContain(Stack.TOKEN);

        WebElement form = browser.findElement(By.id("request-form"));
        form.findElement(By.name("number")).sendKeys("+8613800138000");
        form.findElement(By.name("destination")).sendKeys("+8613900139000");
        browser.findElement(By.id("request-submit")).click();
        String id = visible("#request-result [data-id]").getAttribute("data-id");
        assertThat(id).isNotBlank();

        // the row appears, is seen dialing or in progress, and ends completed with the outcome connected
        waiting(WAIT).until(d -> "dialing".equals(cell(id, "state"))
                || !d.findElements(By.cssSelector("#inprogress-table tr[data-id='" + id + "']")).isEmpty()
                || "completed".equals(cell(id, "state")));
        waiting(WAIT).until(d -> "completed".equals(cell(id, "state")) && "connected".equals(cell(id, "outcome")));
        waiting(WAIT).until(ExpectedConditions.textToBe(
                By.cssSelector("#request-result [data-id='" + id + "'] [data-field=state]"), "completed"));
        JsonObject stored = stack.callback(huibo, id);
        assertThat(stored.getString("state")).isEqualTo("completed");

        // its attempts and route tries, as the API has them
        click("#callbacks-table tr[data-id='" + id + "']");
        String attempt = "#detail .attempt[data-attempt='1']";
        waiting(WAIT).until(d -> String.valueOf(text(attempt)).contains("connected"));
        JsonObject first = stored.getJsonArray("attempts").getJsonObject(0);
        assertThat(text(attempt)).contains(first.getString("node")).contains(first.getString("channelId"));
        assertThat(browser.findElements(By.cssSelector("#detail .attempt[data-attempt='1'] table.tries tbody tr")))
                .hasSize(first.getJsonArray("tries").size());

        // drain sim1 with its button: the page and the API both say it is draining; then resume it
        click("#nodes-table button[data-action=drain][data-node=sim1]");
        waiting(WAIT).until(d -> String.valueOf(text("#nodes-table tr[data-node=sim1] td.flags")).contains("draining"));
        assertThat(node("sim1").getBoolean("draining")).isTrue();
        assertThat(node("sim2").getBoolean("draining")).isFalse();
        click("#nodes-table button[data-action=resume][data-node=sim1]");
        waiting(WAIT).until(d -> d.findElements(By.cssSelector("#nodes-table button[data-action=drain][data-node=sim1]")).size() == 1);
        assertThat(node("sim1").getBoolean("draining")).isFalse();

        // nothing the page did was refused by its Content-Security-Policy or failed in its script
        List<LogEntry> errors = browser.manage().logs().get(LogType.BROWSER).getAll().stream()
                .filter(e -> e.getLevel().intValue() >= Level.SEVERE.intValue()).toList();
        assertThat(errors).isEmpty();
    }

    @Test
    void aWrongKeyIsRefusedOnTheLoginForm() {
        freshPage();
        visible("#login-token").sendKeys("not-the-key-" + Stack.TOKEN);
        browser.findElement(By.id("login-submit")).click();
        waiting(WAIT).until(ExpectedConditions.textToBePresentInElementLocated(By.id("login-error"), "not valid"));
        assertThat(browser.findElement(By.id("app")).isDisplayed()).isFalse();
    }

    /**
     * docs/dashboard.png: the dashboard after a minute of load (24 requests a second, mixed outcomes by the
     * simulator's last-digit rule: more than the two nodes' 20 lines take, so the queue grows). Runs only when asked:
     * {@code -Dit.test=DashboardIT -Dit.argLine=-Dhuibo.dashboard.screenshot=$PWD/docs/dashboard.png}.
     */
    @Test
    @EnabledIfSystemProperty(named = "huibo.dashboard.screenshot", matches = ".+")
    void screenshotUnderLoad() throws Exception {
        Path out = Path.of(System.getProperty("huibo.dashboard.screenshot"));
        stack.send(huibo, "POST", "/v1/nodes/sim1/resume", null);
        browser.manage().window().setSize(new org.openqa.selenium.Dimension(1440, 1800));
        logIn();
        browser.findElement(By.cssSelector("[data-range='300']")).click();
        long start = System.nanoTime();
        long end = start + Duration.ofSeconds(70).toNanos();
        String retried = null;
        int n = 0;
        while (System.nanoTime() < end) {
            for (int k = 0; k < 12; k++, n++) {
                // last digit 0-6 answers, 7 busy, 8 no answer, 9 congestion
                String number = String.format("+86138%07d", 1_000_000 + n * 13 % 9_000_000);
                stack.submit(huibo, new JsonObject().put("number", number).put("destination", "+8613900139000")
                        .put("priority", n % 4 == 0 ? 5 : 0).put("maxAttempts", 2)
                        .put("metadata", new JsonObject().put("load", "screenshot")));
            }
            if (retried == null && System.nanoTime() - start > Duration.ofSeconds(55).toNanos()) {
                retried = stack.submit(huibo, new JsonObject().put("number", RETRIED).put("destination", "+8613900139000")
                        .put("priority", 9).put("metadata", new JsonObject().put("campaign", "renewals")));
            }
            Thread.sleep(500);
        }
        String id = retried;
        waiting(Duration.ofSeconds(30)).until(d -> {
            try {
                return "completed".equals(stack.callback(huibo, id).getString("state"));
            } catch (Exception e) {
                return false;
            }
        });
        browser.executeScript("location.hash = 'callback=' + arguments[0]", id);
        visible("#detail .attempt[data-attempt='3']");
        Thread.sleep(2500);
        Files.createDirectories(out.toAbsolutePath().getParent());
        Files.write(out, browser.getScreenshotAs(OutputType.BYTES));
        // the other tests share this stack: the backlog goes
        stack.send(huibo, "POST", "/v1/callbacks/cancel?metadata.load=screenshot", null);
    }
}
