package io.numashift.dashboard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.numashift.processes.SimulatedClusterService;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;
import tools.jackson.databind.JsonNode;

/**
 * The dashboard in a real browser: Debian's Chromium, headless, driven through its ChromeDriver,
 * against the packaged service with embedded simulated agents for the hosts of {@code
 * scenarios/e2e.yaml} (h1 with pinned pages, h2, and the slow h3). Screenshots of what it shows go
 * to {@code target/screenshots/}. Without Chromium the tests are skipped, unless {@code
 * NUMASHIFT_REQUIRE_BROWSER=true} (as CI sets it) makes that a failure.
 */
class DashboardIT {
    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
    private static final Path SCREENSHOTS = Path.of("target", "screenshots");

    @TempDir
    static Path dir;

    static SimulatedClusterService service;
    WebDriver browser;

    @BeforeAll
    static void startService() {
        boolean present = Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER);
        if (!present && "true".equals(System.getenv("NUMASHIFT_REQUIRE_BROWSER"))) {
            throw new IllegalStateException("NUMASHIFT_REQUIRE_BROWSER is set but " + CHROMIUM + " or " + CHROMEDRIVER
                    + " is missing: apt-get install chromium chromium-driver");
        }
        Assumptions.assumeTrue(present, "no Chromium: apt-get install chromium chromium-driver");
        service = SimulatedClusterService.start("dashboard-service", dir, "/scenarios/e2e.yaml", 3);
    }

    @AfterAll
    static void stopService() {
        if (service != null) {
            service.close();
        }
    }

    @BeforeEach
    void openBrowser() throws IOException {
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments(
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
                "--window-size=1400,1000",
                "--user-data-dir=" + Files.createTempDirectory(dir, "chromium"));
        ChromeDriverService driver = new ChromeDriverService.Builder()
                .usingDriverExecutable(CHROMEDRIVER.toFile())
                .usingAnyFreePort()
                .build();
        browser = new ChromeDriver(driver, options);
    }

    @AfterEach
    void closeBrowser() {
        if (browser != null) {
            browser.quit();
        }
    }

    @Test
    void aViewerSignsInOnceAndSeesJobsResultsPlacementsAndHostsButNoOperatorAction() throws IOException {
        String id = service.post("/api/v1/jobs", """
                        {"name": "job on h1", "labels": {"team": "cfd"},
                         "targets": [{"hosts": ["h1"], "cpuset": "/job"}], "oldNodes": [0], "newNodes": [1]}""").path("id").asString();
        awaitState(id, "PARTIALLY_FAILED");

        browser.get(service.url() + "/");
        signIn(SimulatedClusterService.VIEWER);
        WebElement row = waitFor(By.cssSelector("#jobs tr[data-job='" + id + "']"));
        assertThat(row.getText()).contains("job on h1").contains("PARTIALLY_FAILED");
        screenshot("jobs");

        row.click();
        waitFor(By.cssSelector("#job [data-state='PARTIALLY_FAILED']"));
        assertThat(browser.findElements(By.id("cancel")))
                .as("a viewer cannot cancel")
                .isEmpty();
        assertThat(browser.findElements(By.id("retry")))
                .as("a viewer cannot retry")
                .isEmpty();
        assertThat(text("#failures")).contains("h1").contains("101").contains("EBUSY");
        assertThat(text("#job")).contains("team: cfd").contains("nodes 0 → 1");

        browser.findElement(By.cssSelector("#tasks tr[data-host='h1']")).click();
        WebElement after = waitFor(By.cssSelector("tr[data-pid='100'] td.after span[data-node='1']"));
        assertThat(after.getAttribute("data-pages"))
                .as("pid 100's 2,000 pages after, on node 1")
                .isEqualTo("2000");
        assertThat(browser.findElement(By.cssSelector("tr[data-pid='100'] td.before span[data-node='0']"))
                        .getAttribute("data-pages"))
                .isEqualTo("2000");
        assertThat(browser.findElements(By.cssSelector("tr[data-pid='101'] td.after span[data-node='0']")))
                .as("pid 101's pinned pages stay on node 0")
                .hasSize(1);
        screenshot("job");

        browser.findElement(By.id("nav-hosts")).click();
        waitFor(By.cssSelector("#hosts tr[data-host='h3']"));
        assertThat(browser.findElements(By.id("sign-in")))
                .as("the token is asked once")
                .isEmpty();
        assertThat(browser.findElements(By.cssSelector("#hosts tbody tr"))).hasSize(3);
        assertThat(text("#hosts")).contains("ONLINE").doesNotContain("OFFLINE");
        screenshot("hosts");

        browser.findElement(By.cssSelector("#hosts tr[data-host='h3']")).click();
        waitFor(By.id("distances"));
        assertThat(browser.findElements(By.cssSelector("#distances tbody tr"))).hasSize(2);
        assertThat(browser.findElements(By.cssSelector("#nodes tbody tr"))).hasSize(2);
        assertThat(browser.findElements(By.cssSelector("#nodes [data-evacuate]")))
                .as("a viewer cannot evacuate a node")
                .isEmpty();

        browser.navigate().refresh();
        waitFor(By.id("distances"));
        assertThat(browser.findElements(By.id("sign-in")))
                .as("kept for the browser session")
                .isEmpty();
    }

    @Test
    void anOperatorWatchesAJobMoveLiveCancelsItAndRetriesWhatDidNotMove() throws IOException {
        browser.get(service.url() + "/");
        signIn(SimulatedClusterService.OPERATOR);
        waitFor(By.id("jobs"));
        String id = service.post("/api/v1/jobs", """
                        {"name": "slow job on h3", "targets": [{"hosts": ["h3"], "pids": [300]}],
                         "oldNodes": [0], "newNodes": [1]}""").path("id").asString();

        browser.get(service.url() + "/#/jobs/" + id);
        waitFor(By.id("pages"));
        ((JavascriptExecutor) browser).executeScript("window.sameDocument = true;");
        long first = await("pages moving").atMost(Duration.ofSeconds(30)).until(() -> movedPages(), moved -> moved > 0);
        long later = await("more pages moved, shown without a reload")
                .atMost(Duration.ofSeconds(30))
                .until(() -> movedPages(), moved -> moved > first);
        assertThat(later).isGreaterThan(first);
        assertThat(((JavascriptExecutor) browser).executeScript("return window.sameDocument === true;"))
                .as("the page was updated in place, over the job's events")
                .isEqualTo(true);
        screenshot("job-live");

        browser.findElement(By.id("cancel")).click();
        waitFor(By.cssSelector("#job [data-state='CANCELLED']"));
        assertThat(service.get("/api/v1/jobs/" + id).path("state").asString()).isEqualTo("CANCELLED");

        browser.findElement(By.id("retry")).click();
        await("the retry's page")
                .atMost(Duration.ofSeconds(15))
                .until(() ->
                        !browser.getCurrentUrl().endsWith(id) && text("#job").contains("retryOf: " + id));
        String retry = browser.getCurrentUrl().substring(browser.getCurrentUrl().lastIndexOf('/') + 1);
        assertThat(service.get("/api/v1/jobs/" + retry)
                        .path("labels")
                        .path("retryOf")
                        .asString())
                .isEqualTo(id);
        service.post("/api/v1/jobs/" + retry + "/cancel", "");
        awaitState(retry, "CANCELLED");
    }

    @Test
    void anOperatorPlansTheEvacuationOfANodeFromItsHostsPage() throws IOException {
        browser.get(service.url() + "/#/hosts/h2");
        signIn(SimulatedClusterService.OPERATOR);
        waitFor(By.cssSelector("#nodes tr[data-node='0'] [data-evacuate='plan']"))
                .click();

        waitFor(By.id("evacuates"));
        waitFor(By.cssSelector("#job [data-state='SUCCEEDED']"));
        String id = browser.getCurrentUrl().substring(browser.getCurrentUrl().lastIndexOf('/') + 1);
        JsonNode job = service.get("/api/v1/jobs/" + id);
        assertThat(job.path("dryRun").asBoolean()).isTrue();
        assertThat(job.path("request").path("evacuate").path("nodes").get(0).asInt())
                .isZero();
        assertThat(text("#evacuates")).contains("nodes 0");
        assertThat(text("#tasks td.evacuated")).isEqualTo("node 0: 1,000 → 0");
        browser.findElement(By.cssSelector("#tasks tr[data-host='h2']")).click();
        assertThat(waitFor(By.cssSelector("tr[data-pid='200'] td.after span[data-node='1']"))
                        .getAttribute("data-pages"))
                .as("the plan: pid 200's 1,000 pages to node 1")
                .isEqualTo("1000");
        screenshot("evacuation-plan");
    }

    @Test
    void aJobOfSixtyHostsIsPagedFromTheOneReadOfTheJobWithNoRequestPerHost() throws IOException {
        Path many = Files.createDirectories(dir.resolve("many"));
        StringBuilder scenario = new StringBuilder("hosts:\n");
        List<String> names = new ArrayList<>();
        for (int i = 1; i <= 60; i++) {
            String name = "m%03d".formatted(i);
            names.add("\"" + name + "\"");
            scenario.append("""
                      - name: %s
                        nodes:
                          - {id: 0, capacityPages: 1000, cpus: [0]}
                          - {id: 1, capacityPages: 1000, cpus: [1]}
                        processes:
                          - pid: 10
                            vmas:
                              - {start: 0x10000000, pages: 100, perms: rw-, placement: {0: 100}}
                    """.formatted(name));
        }
        Files.writeString(many.resolve("many.yaml"), scenario);
        try (SimulatedClusterService sixty =
                SimulatedClusterService.start("dashboard-sixty", many, many.resolve("many.yaml"), 60)) {
            String id = sixty.post("/api/v1/jobs", """
                            {"name": "sixty hosts", "targets": [{"hosts": [%s], "pids": [10]}],
                             "oldNodes": [0], "newNodes": [1]}""".formatted(String.join(",", names)))
                    .path("id")
                    .asString();
            await("sixty hosts done")
                    .atMost(Duration.ofSeconds(90))
                    .until(() -> sixty.get("/api/v1/jobs/" + id).path("state").asString(), "SUCCEEDED"::equals);

            browser.get(sixty.url() + "/#/jobs/" + id);
            signIn(SimulatedClusterService.VIEWER);
            waitFor(By.cssSelector("#tasks tr[data-host='m001']"));
            assertThat(text("#tasks")).contains("Hosts (60)").contains("1–50 of 60");
            assertThat(browser.findElements(By.cssSelector("#tasks tr[data-host]")))
                    .hasSize(50);

            browser.findElement(By.cssSelector("#tasks [data-test='next']")).click();
            waitFor(By.cssSelector("#tasks tr[data-host='m060']"));
            assertThat(browser.findElements(By.cssSelector("#tasks tr[data-host]")))
                    .hasSize(10);

            WebElement filter = browser.findElement(By.id("task-filter"));
            filter.sendKeys("m042\n");
            await("filtered")
                    .atMost(Duration.ofSeconds(10))
                    .until(() -> browser.findElements(By.cssSelector("#tasks tr[data-host]"))
                                    .size()
                            == 1);
            assertThat(browser.findElements(By.cssSelector("#tasks tr[data-host='m042']")))
                    .hasSize(1);
            @SuppressWarnings("unchecked")
            List<String> calls = (List<String>) ((JavascriptExecutor) browser)
                    .executeScript("return performance.getEntriesByType('resource').map(e => e.name)"
                            + ".filter(n => n.includes('/api/'));");
            assertThat(calls)
                    .as("one read of the job, whatever the number of hosts")
                    .noneMatch(call -> call.contains("/api/v1/hosts"))
                    .filteredOn(call -> call.contains("/api/v1/jobs/"))
                    .hasSize(1);

            browser.findElement(By.id("nav-hosts")).click();
            waitFor(By.cssSelector("#hosts tr[data-host='m001']"));
            assertThat(browser.findElements(By.cssSelector("#hosts tbody tr"))).hasSize(50);
            browser.findElement(By.cssSelector("[data-test='next']")).click();
            waitFor(By.cssSelector("#hosts tr[data-host='m060']"));
            assertThat(browser.findElements(By.cssSelector("#hosts tbody tr"))).hasSize(10);
        }
    }

    private long movedPages() {
        String pages = text("#pages");
        return Long.parseLong(pages.substring(0, pages.indexOf(" of ")).replace(",", ""));
    }

    private void signIn(String token) {
        waitFor(By.id("sign-in"));
        browser.findElement(By.id("token")).sendKeys(token);
        browser.findElement(By.cssSelector("#sign-in button[type='submit']")).click();
        new WebDriverWait(browser, Duration.ofSeconds(20))
                .until(b -> b.findElements(By.id("sign-in")).isEmpty());
    }

    private WebElement waitFor(By by) {
        return new WebDriverWait(browser, Duration.ofSeconds(20)).until(b -> {
            List<WebElement> found = b.findElements(by);
            return found.isEmpty() ? null : found.get(0);
        });
    }

    /** The text of the first element that matches, read in one step (the page redraws as events come). */
    private String text(String css) {
        Object text = ((JavascriptExecutor) browser)
                .executeScript("const e = document.querySelector(arguments[0]); return e ? e.innerText : '';", css);
        return String.valueOf(text);
    }

    private static void awaitState(String id, String state) {
        await(id + " " + state)
                .atMost(Duration.ofSeconds(60))
                .until(
                        () -> service.get("/api/v1/jobs/" + id),
                        job -> job.path("state").asString().equals(state));
    }

    private void screenshot(String name) throws IOException {
        Files.createDirectories(SCREENSHOTS);
        Path shot = ((TakesScreenshot) browser).getScreenshotAs(OutputType.FILE).toPath();
        Files.copy(shot, SCREENSHOTS.resolve(name + ".png"), StandardCopyOption.REPLACE_EXISTING);
    }
}
