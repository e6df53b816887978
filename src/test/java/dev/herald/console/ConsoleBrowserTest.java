package dev.herald.console;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.Keys;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

import dev.herald.support.Fixtures;
import dev.herald.support.HeraldTest;
import io.restassured.RestAssured;
import io.restassured.path.json.JsonPath;

/**
 * The console in a real headless Chromium (Debian's chromium and chromium-driver; bin/services
 * --browser installs them): sign in, find a customer, read the timeline, watch a notice being sent
 * and pause it from its page, print its summary. Screenshots go to target/console/; each step asserts
 * the text the screenshot shows. Every page is checked by axe-core (npm, installed into target/browser
 * by the build) at desktop and phone width, and must load without a failed request.
 */
@HeraldTest
class ConsoleBrowserTest {

    private static final Path SHOTS = Path.of("target", "console");
    private static final Dimension DESKTOP = new Dimension(1280, 1100);
    private static final Dimension PHONE = new Dimension(390, 844);
    /** axe-core's findings that fail the test: those it rates serious or critical. */
    private static final String AXE_RUN = """
            const done = arguments[arguments.length - 1];
            axe.run(document, {resultTypes: ['violations']})
                .then(r => done(r.violations.filter(v => v.impact === 'serious' || v.impact === 'critical')
                    .map(v => v.id + ' (' + v.impact + '): ' + v.help + ' at '
                        + v.nodes.map(n => n.target.join(' ')).join(', '))))
                .catch(e => done(['axe-core could not run: ' + e]));
            """;
    private static String axe;
    private static WebDriver browser;
    private static WebDriverWait wait;

    @BeforeAll
    static void openBrowser() throws Exception {
        Files.createDirectories(SHOTS);
        axe = Files.readString(Path.of(System.getProperty("herald.axe-core",
                "target/browser/node_modules/axe-core/axe.min.js")));
        ChromeOptions options = new ChromeOptions();
        // The browser's console log tells every request that failed (a 404 favicon, a script that broke).
        options.setCapability("goog:loggingPrefs", Map.of("browser", "ALL"));
        options.setBinary("/usr/bin/chromium");
        options.addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1280,1100");
        ChromeDriverService driver = new ChromeDriverService.Builder()
                .usingDriverExecutable(new File("/usr/bin/chromedriver")).build();
        browser = new ChromeDriver(driver, options);
        browser.manage().timeouts().scriptTimeout(Duration.ofSeconds(30));
        wait = new WebDriverWait(browser, Duration.ofSeconds(30));
    }

    @AfterAll
    static void closeBrowser() {
        if (browser != null) {
            browser.quit();
        }
    }

    @Test
    void supportAndOperatorsWorkFromTheConsole() throws Exception {
        Fixtures.customer("console-browser", "cb-push", null, Fixtures.device("com.example.breach", "FCM", "fcm-browser-token"));
        long told = Fixtures.pushNotice("Account data breach", "console-browser", List.of("EMAIL", "PUSH"), "EMAIL_THEN_PUSH");
        given().post("/v1/notices/{id}/dispatch", told).then().statusCode(202);
        Fixtures.awaitCompleted(told, Duration.ofSeconds(60));

        // Sign in: the console sends a person who is not signed in to the sign-in page, then back.
        browser.get(url("/console/customers"));
        wait.until(ExpectedConditions.urlContains("/console/sign-in"));
        browser.findElement(By.id("name")).sendKeys("Sam Support");
        browser.findElement(By.id("role-support")).click();
        browser.findElement(By.id("role-operator")).click();
        shot("1-sign-in", "Sign in", "Your name", "Roles");
        assertAccessibleAndLoaded("sign-in");
        browser.findElement(By.cssSelector("form button[type=submit]")).click();
        wait.until(ExpectedConditions.urlContains("/console/customers"));
        assertEveryControlIsLabelled();
        assertAccessibleAndLoaded("customer search");

        // Search a customer and read the timeline.
        WebElement search = browser.findElement(By.id("q"));
        search.sendKeys("cb-push", Keys.ENTER);
        wait.until(ExpectedConditions.urlContains("/console/customers/cb-push"));
        shot("2-customer-timeline", "Account data breach", "Email not sent: no email address; sent by push instead",
                "Push accepted by Google's push service (FCM)", "Signed in as Sam Support");
        assertThat(text()).doesNotContain("fcm-browser-token");
        assertAccessibleAndLoaded("customer timeline");
        browser.findElement(By.partialLinkText("See what was sent by push")).click();
        wait.until(ExpectedConditions.urlContains("/deliveries/"));
        shot("3-content", "byte for byte what was sent", "support-pii shows it");
        assertAccessibleAndLoaded("what was sent");
        browser.get(url("/console/notices"));
        shot("3-notices", "Notices", "Account data breach");
        assertAccessibleAndLoaded("notices");
        browser.get(url("/console/customers?q=nobody-by-that-id"));
        shot("3-search-empty", "nobody-by-that-id");
        assertAccessibleAndLoaded("a search that finds nobody");

        // Keyboard: the first Tab reaches the skip link, which moves focus to the content.
        browser.get(url("/console/customers/cb-push"));
        browser.findElement(By.tagName("body")).sendKeys(Keys.TAB);
        assertThat(browser.switchTo().activeElement().getText()).isEqualTo("Skip to the content");
        browser.switchTo().activeElement().sendKeys(Keys.ENTER);
        assertThat(browser.switchTo().activeElement().getAttribute("id")).isEqualTo("main");

        // At phone width nothing needs scrolling sideways.
        browser.manage().window().setSize(PHONE);
        browser.navigate().refresh();
        shot("4-customer-phone", "Account data breach");
        assertThat((Boolean) script("return document.documentElement.scrollWidth <= window.innerWidth")).isTrue();
        browser.manage().window().setSize(DESKTOP);

        // A notice sent slowly enough to watch: 400 emails at 20 a second.
        JsonPath limit = given().get("/v1/limits/email").then().extract().jsonPath();
        Fixtures.importCustomers("console-live", 400);
        Fixtures.emailLimit(20, 1);
        long live = Fixtures.dispatchToTag("console-live");
        try {
            browser.get(url("/console/notices/" + live));
            long first = finishedOnPage(0);
            long later = finishedOnPage(first);
            assertThat(later).isGreaterThan(first);
            shot("5-notice-live", "Progress", "Deliveries finished per second", "Outcomes by channel", "DISPATCHING",
                    "Deadline clock", "Failures by reason");
            assertEveryControlIsLabelled();
            assertAccessibleAndLoaded("notice being sent");

            browser.findElement(By.xpath("//button[normalize-space()='Pause']")).click();
            wait.until(ExpectedConditions.alertIsPresent()).accept();
            wait.until(ExpectedConditions.textToBe(By.cssSelector("[data-field=status]"), "PAUSED"));
            given().get("/v1/notices/{id}", live).then().body("status", equalTo("PAUSED"));
            assertThat(browser.findElement(By.xpath("//button[normalize-space()='Resume']")).isDisplayed()).isTrue();
            assertThat(browser.findElement(By.xpath("//button[normalize-space()='Pause']")).isDisplayed()).isFalse();
            shot("6-notice-paused", "PAUSED", "Resume");
            given().get("/v1/audit?notice=" + live).then().body(containsString("Sam Support"));
        } finally {
            given().post("/v1/notices/{id}/cancel", live);
            Fixtures.emailLimit(limit.getDouble("limit.messagesPerSecond"), limit.getInt("limit.connections"));
        }

        // The regulator summary, as printed.
        browser.get(url("/console/notices/" + told + "/summary"));
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.tagName("main"), "SHA-256 chain digest"));
        ((ChromeDriver) browser).executeCdpCommand("Emulation.setEmulatedMedia", Map.of("media", "print"));
        shot("7-summary-print", "Breach notification summary", "99 % of the messages accepted", "Customers no channel reached",
                "SHA-256 chain digest");
        assertThat(browser.findElement(By.cssSelector("header.bar")).isDisplayed()).as("no navigation on paper").isFalse();
        ((ChromeDriver) browser).executeCdpCommand("Emulation.setEmulatedMedia", Map.of("media", ""));
        assertAccessibleAndLoaded("regulator summary");
    }

    /**
     * axe-core finds nothing serious or critical on the page at desktop and at phone width, and the
     * browser logged no failed request or script error since the last check.
     */
    private static void assertAccessibleAndLoaded(String page) {
        for (Dimension size : List.of(DESKTOP, PHONE)) {
            browser.manage().window().setSize(size);
            if (!Boolean.TRUE.equals(script("return typeof window.axe !== 'undefined'"))) {
                script(axe);
            }
            Object found = ((JavascriptExecutor) browser).executeAsyncScript(AXE_RUN);
            assertThat((List<?>) found).as(page + " at " + size.getWidth() + " px").isEmpty();
        }
        browser.manage().window().setSize(DESKTOP);
        List<String> failed = browser.manage().logs().get(LogType.BROWSER).getAll().stream()
                .filter(e -> e.getLevel().intValue() >= Level.SEVERE.intValue()).map(LogEntry::getMessage).toList();
        assertThat(failed).as(page + ": failed requests and script errors").isEmpty();
    }

    /** Waits until the page shows more finished deliveries than {@code than}, and returns the count. */
    private static long finishedOnPage(long than) {
        wait.until(d -> Long.parseLong(d.findElement(By.cssSelector("[data-field=finished]")).getText()) > than);
        return Long.parseLong(browser.findElement(By.cssSelector("[data-field=finished]")).getText());
    }

    private static void assertEveryControlIsLabelled() {
        Object unlabelled = script("return [...document.querySelectorAll('input:not([type=hidden]), select, textarea')]"
                + ".filter(e => e.labels.length === 0 && !e.getAttribute('aria-label')).map(e => e.outerHTML)"
                + ".concat([...document.querySelectorAll('button')].filter(b => !b.textContent.trim()).map(b => b.outerHTML))");
        assertThat((List<?>) unlabelled).isEmpty();
    }

    /** Saves a screenshot and asserts the page shows each text. */
    private static void shot(String name, String... texts) throws Exception {
        for (String t : texts) {
            wait.until(ExpectedConditions.textToBePresentInElementLocated(By.tagName("body"), t));
        }
        Files.write(SHOTS.resolve(name + ".png"), ((TakesScreenshot) browser).getScreenshotAs(OutputType.BYTES));
        Files.writeString(SHOTS.resolve(name + ".txt"), text());
    }

    private static String text() {
        return browser.findElement(By.tagName("body")).getText();
    }

    private static Object script(String js) {
        return ((JavascriptExecutor) browser).executeScript(js);
    }

    private static String url(String path) {
        return "http://localhost:" + RestAssured.port + path;
    }
}
