// Shared by the browser checks: open a report in Debian's headless chromium (playwright-core, no
// downloaded browser), record console errors, page errors and every request that would leave the page.
"use strict";
const fs = require("fs");
const os = require("os");
const path = require("path");
const { pathToFileURL } = require("url");
const { chromium } = require(process.env.PLAYWRIGHT_CORE || "playwright-core");

async function openReport(report) {
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
  const close = async () => { await context.close(); fs.rmSync(profile, { recursive: true, force: true }); };
  return { page, out, close };
}

module.exports = { openReport };
