// Open an HTML report in Debian's headless chromium (playwright-core, no downloaded browser),
// record console errors, page errors and every request that would leave the page, query the
// DOM and take a screenshot.  Usage: node browser_check.cjs REPORT.html SCREENSHOT.png
// Prints one JSON object on stdout.
"use strict";
const { openReport } = require("./browser_open.cjs");

(async () => {
  const [report, shot] = process.argv.slice(2);
  const { page, out, close } = await openReport(report);
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
  await close();
  process.stdout.write(JSON.stringify(out) + "\n");
})().catch((err) => { console.error(String(err && err.stack || err)); process.exit(3); });
