// Drive the controls of an HTML report in Debian's headless chromium (playwright-core) and record
// what each one does: page height, time to interactive, visible findings / targets / table rows,
// the severity tiles, console and page errors, requests leaving the page; one screenshot per step.
// Usage: node browser_controls.cjs REPORT.html OUTDIR   (prints one JSON object on stdout)
"use strict";
const path = require("path");
const { openReport } = require("./browser_open.cjs");

(async () => {
  const [report, outdir] = process.argv.slice(2);
  const { page, out, close } = await openReport(report);
  out.steps = {};
  await page.waitForSelector("html[data-ready='1']");
  out.readyMs = await page.evaluate(() => window.portauditReadyAt);
  out.domContentLoadedMs = await page.evaluate(() => {
    const nav = performance.getEntriesByType("navigation")[0];
    return nav ? nav.domContentLoadedEventEnd : null;
  });
  const snap = async (name) => {
    const state = await page.evaluate(() => {
      const vis = (el) => el.offsetParent !== null;
      const q = (s) => Array.from(document.querySelectorAll(s));
      return {
        height: document.documentElement.scrollHeight,
        cards: q(".finding").filter(vis).length,
        cardRules: q(".finding").filter(vis).map((el) => el.dataset.rule),
        cardSeverities: q(".finding").filter(vis).map((el) => el.dataset.severity),
        openCards: q(".finding > details[open]").length,
        sections: q("section.target").filter(vis).length,
        rows: q("#findings-table tbody tr").filter(vis).length,
        rowRules: q("#findings-table tbody tr").filter(vis).map((el) => el.dataset.rule),
        tableVisible: vis(document.querySelector("#findings-table")),
        tiles: Object.fromEntries(q("[data-severity-count]").map((el) =>
          [el.dataset.severityCount, Number(el.querySelector(".n").textContent)])),
        shown: document.querySelector("#shown").textContent,
      };
    });
    const shot = path.join(outdir, `${name}.png`);
    // the controls and the first results, whatever the scroll position
    await page.evaluate(() => document.querySelector("#findings").scrollIntoView());
    await page.screenshot({ path: shot });
    state.screenshot = shot;
    out.steps[name] = state;
  };
  await snap("initial");
  await page.fill("#search", process.env.SEARCH || "7003");
  await page.waitForTimeout(300);
  await snap("search");
  await page.fill("#search", "");
  await page.waitForTimeout(300);
  await page.uncheck('#filters input[data-filter="high"]');
  await snap("severity");
  await page.check('#filters input[data-filter="high"]');
  // each select filter: pick one value (the rule and bind filters their first, origin its last,
  // target its second option), record what is shown, then back to "all"
  for (const [key, nth] of [["rule", "nth-child(2)"], ["bind", "nth-child(2)"], ["origin", "last-child"],
                            ["target", "nth-child(3)"]]) {
    const value = await page.evaluate((sel) => document.querySelector(sel).value, `#f-${key} option:${nth}`);
    await page.selectOption(`#f-${key}`, value);
    out[`filtered_${key}`] = value;
    await snap(key);
    await page.selectOption(`#f-${key}`, "");
  }
  await page.uncheck("#hide-clean");
  await snap("clean-shown");
  await page.check("#hide-clean");
  await page.click("#expand");
  await snap("expanded");
  await page.click("#collapse");
  await snap("collapsed");
  await page.click("button[data-view='table']");
  await snap("table");
  await page.click("#findings-table th[data-sort='rule']");
  await snap("table-sorted");
  await page.click("button[data-view='cards']");
  await page.selectOption("#sort", "rule");
  await snap("cards-sorted");
  await close();
  process.stdout.write(JSON.stringify(out) + "\n");
})().catch((err) => { console.error(String(err && err.stack || err)); process.exit(3); });
