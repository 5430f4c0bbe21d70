// Open an HTML report in Debian's headless chromium (playwright-core, no downloaded browser),
// record console errors, page errors and every request that would leave the page, query the
// DOM and take a screenshot.  Usage: node browser_check.cjs REPORT.html SCREENSHOT.png
// Prints one JSON object on stdout.
"use strict";
const fs = require("fs");
const os = require("os");
const path = require("path");
const { pathToFileURL } = require("url");
const { chromium } = require(process.env.PLAYWRIGHT_CORE || "playwright-core");

(async () => {
  const [report, shot] = process.argv.slice(2);
  const reportUrl = pathToFileURL(path.resolve(report)).href;
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), "portaudit-chromium-"));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    headless: true,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
           "--disable-component-update", "--disable-sync", "--no-first-run"],
    viewport: { width: 1280, height: 900 },
  });
  const out = { consoleErrors: [], pageErrors: [], blocked: [], requests: [] };
  await context.route("**/*", (route) => {
    const url = route.request().url();
    if (url === reportUrl || url.startsWith("data:")) return route.continue();
    out.blocked.push(url);
    return route.abort();
  });
  const page = context.pages()[0] || (await context.newPage());
  page.on("console", (msg) => { if (msg.type() === "error") out.consoleErrors.push(msg.text()); });
  page.on("pageerror", (err) => out.pageErrors.push(String(err)));
  page.on("request", (req) => out.requests.push(req.url()));
  await page.goto(reportUrl, { waitUntil: "load" });
  out.title = await page.title();
  out.dom = await page.evaluate(() => {
    const q = (s) => Array.from(document.querySelectorAll(s));
    return {
      findings: q(".finding").map((el) => ({
        severity: el.dataset.severity, rule: el.dataset.rule, fingerprint: el.dataset.fingerprint,
        message: el.querySelector(".msg").textContent,
        fix: el.querySelector(".fix").textContent,
        evidence: (el.querySelector("pre.evidence") || { textContent: "" }).textContent,
        visible: el.offsetParent !== null,
      })),
      targets: q("section.target").map((el) => el.dataset.target),
      chartBars: q("#chart svg rect.bar").length,
      chartBox: (() => { const r = document.querySelector("#chart svg").getBoundingClientRect();
                          return { w: r.width, h: r.height }; })(),
      runtimeRows: q("table.runtime tbody tr").length,
      tiles: Object.fromEntries(q("[data-severity-count]").map((el) =>
        [el.dataset.severityCount, Number(el.querySelector(".n").textContent)])),
      errors: q(".errors li").map((el) => el.textContent),
      suppressedRows: q("#suppressed-table tbody tr").length,
    };
  });
  // the severity filter works (script ran without errors)
  await page.uncheck('#filters input[data-filter="high"]');
  out.visibleAfterHidingHigh = await page.evaluate(() =>
    Array.from(document.querySelectorAll(".finding")).filter((el) => el.offsetParent !== null)
      .map((el) => el.dataset.severity));
  await page.check('#filters input[data-filter="high"]');
  await page.screenshot({ path: shot, fullPage: true });
  await context.close();
  fs.rmSync(profile, { recursive: true, force: true });
  process.stdout.write(JSON.stringify(out) + "\n");
})().catch((err) => { console.error(String(err && err.stack || err)); process.exit(3); });
