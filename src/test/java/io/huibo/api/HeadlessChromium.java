package io.huibo.api;

import java.io.File;
import java.time.Duration;
import java.util.Map;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * Debian's Chromium (package chromium) through Debian's chromedriver (package chromium-driver), both
 * installed by scripts/test ({@code ensure_browser}). The paths are given, so Selenium Manager never
 * runs (it would look for, and download, a browser and a driver of its own); the browser's own
 * background traffic (updates, sync, safe browsing, metrics) is switched off: the only address it
 * talks to is the Huibo under test on loopback.
 */
final class HeadlessChromium {
    static final String BROWSER = System.getProperty("huibo.chromium", "/usr/bin/chromium");
    static final String DRIVER = System.getProperty("huibo.chromedriver", "/usr/bin/chromedriver");

    private HeadlessChromium() {
    }

    static boolean installed() {
        return new File(BROWSER).canExecute() && new File(DRIVER).canExecute();
    }

    static ChromeDriver start(int width, int height) {
        // read by Selenium before it would consult Selenium Manager
        System.setProperty("webdriver.chrome.driver", DRIVER);
        ChromeOptions o = new ChromeOptions();
        o.setBinary(BROWSER);
        o.addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                "--window-size=" + width + "," + height, "--force-device-scale-factor=1", "--lang=en-US",
                "--no-first-run", "--no-default-browser-check", "--disable-extensions",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--disable-default-apps", "--disable-domain-reliability", "--disable-client-side-phishing-detection",
                "--no-pings", "--metrics-recording-only", "--safebrowsing-disable-auto-update",
                "--disable-features=Translate,OptimizationHints,MediaRouter,AutofillServerCommunication");
        // the page's console (CSP refusals, script errors) for the test to read
        o.setCapability("goog:loggingPrefs", Map.of("browser", "ALL"));
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(new File(DRIVER)).usingAnyFreePort().build();
        ChromeDriver driver = new ChromeDriver(service, o);
        driver.manage().timeouts().pageLoadTimeout(Duration.ofSeconds(20));
        return driver;
    }
}
