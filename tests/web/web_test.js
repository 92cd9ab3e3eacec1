// SPDX-License-Identifier: MIT
// web_test.js — drives the s3inv web page in headless Debian chromium with
// playwright-core and checks it against the JSON API of the same server.
//
// usage: node web_test.js BASE_URL INDEX_NAME OUT_DIR
// Prints one line per failed check, then "N passed, M failed"; exit 1 on
// any failure. Screenshots go to OUT_DIR/*.png.
"use strict";

const { chromium } = require("playwright-core");
const fs = require("fs");
const path = require("path");

const [BASE, INDEX, OUT] = process.argv.slice(2);
let passed = 0, failed = 0;
function check(cond, what) {
  if (cond) passed++;
  else { failed++; console.log("FAIL: " + what); }
}
function eq(a, b, what) {
  const ok = JSON.stringify(a) === JSON.stringify(b);
  check(ok, what + (ok ? "" : ": got " + JSON.stringify(a) + ", want " + JSON.stringify(b)));
}

// An independent copy of the documented size format (docs/http-api.md,
// same as `s3inv du`): binary units, one decimal below 100.
function fmtSize(n) {
  const U = ["B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"];
  if (n < 1024) return n + " B";
  let v = n, u = 0;
  while (v >= 1024 && u < 6) { v /= 1024; u++; }
  let s = v >= 99.95 ? v.toFixed(0) : v.toFixed(1);
  if (s === "1024" && u < 6) { s = "1.0"; u++; }
  return s + " " + U[u];
}
const int = (s) => Number(String(s).replace(/[^0-9]/g, ""));

async function api(p, q) {
  const u = new URL(BASE + p);
  for (const [k, v] of Object.entries(q || {})) u.searchParams.set(k, v);
  const r = await fetch(u);
  return { status: r.status, body: await r.json() };
}

async function ready(page, prefix) {
  const want = INDEX + "\u0000" + prefix;
  await page.waitForFunction((w) => document.body.dataset.ready === w, want, { timeout: 15000 });
}

// Compare what the page shows for the current prefix with the API.
async function compareWithApi(page, prefix, sort, label) {
  const st = (await api("/api/stats", { index: INDEX, prefix })).body;
  const kids = (await api("/api/children", { index: INDEX, prefix, sort, limit: 100 })).body;
  eq(int(await page.textContent("#sum-objects")), st.objects, label + ": objects card");
  eq(await page.getAttribute("#sum-bytes", "data-bytes"), String(st.bytes), label + ": bytes card (exact)");
  eq(await page.textContent("#sum-bytes"), fmtSize(st.bytes), label + ": bytes card (shown)");
  eq(int(await page.textContent("#sum-children")), kids.total, label + ": child count card");
  const rows = await page.$$eval("#children-body tr.child", (trs) => trs.map((tr) => ({
    prefix: tr.dataset.prefix,
    objects: tr.querySelector(".col-objects").textContent,
    size: tr.querySelector(".col-bytes .num").textContent,
    exact: tr.querySelector(".col-bytes .num").title,
  })));
  eq(rows.map((r) => r.prefix), kids.children.map((c) => c.prefix), label + ": rows in API order");
  let numbersOk = rows.length === kids.children.length;
  for (let i = 0; i < rows.length && numbersOk; i++) {
    const c = kids.children[i];
    if (int(rows[i].objects) !== c.objects || rows[i].size !== fmtSize(c.bytes) ||
        int(rows[i].exact) !== c.bytes) {
      numbersOk = false;
      console.log("  row " + i + ": shown " + JSON.stringify(rows[i]) + " api " + JSON.stringify({ objects: c.objects, bytes: c.bytes }));
    }
  }
  check(numbersOk, label + ": every row's objects and size equal the API's");
  // classes legend equals the API's classes (names)
  const legend = await page.$$eval("#classes-legend .lname", (xs) => xs.map((x) => x.textContent));
  eq(legend.slice().sort(), Object.keys(st.classes).filter((k) => st.classes[k].bytes > 0).sort(),
    label + ": storage classes listed");
  return { st, kids };
}

(async () => {
  fs.mkdirSync(OUT, { recursive: true });
  const profile = fs.mkdtempSync(path.join(OUT, "profile-"));
  const ctx = await chromium.launchPersistentContext(profile, {
    executablePath: "/usr/bin/chromium",
    headless: true,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
      "--disable-background-networking", "--disable-component-update", "--disable-sync"],
    viewport: { width: 1366, height: 900 },
  });
  const errors = [];
  try {
    const page = await ctx.newPage();
    page.on("pageerror", (e) => errors.push("pageerror: " + e.message));
    // failed loads are judged by URL below (the search miss and its suggestions 404)
    page.on("console", (m) => {
      if (m.type() === "error" && !m.text().startsWith("Failed to load resource")) errors.push("console: " + m.text());
    });
    page.on("response", (r) => {
      const u = new URL(r.url());
      if (r.status() >= 400 && !(u.pathname.startsWith("/api/") && (u.searchParams.get("prefix") || "").startsWith("no/")))
        errors.push("HTTP " + r.status() + " " + u.pathname + u.search);
    });

    // 1. the root
    await page.goto(BASE + "/?index=" + encodeURIComponent(INDEX));
    await ready(page, "");
    check((await page.title()).includes("s3inv"), "page title");
    const root = await compareWithApi(page, "", "bytes", "root");
    eq(await page.$$eval("#crumbs .crumb", (x) => x.length), 1, "root: one breadcrumb");
    check((await page.$$("#treemap a.tile")).length > 0, "root: treemap has clickable tiles");
    await page.screenshot({ path: path.join(OUT, "1-root.png"), fullPage: true });

    // 2. click the largest child in the table
    const first = root.kids.children[0].prefix;
    await page.click("#children-body tr.child >> nth=0 >> a.open");
    await ready(page, first);
    check(new URL(page.url()).searchParams.get("prefix") === first, "level 1: prefix in the URL");
    const l1 = await compareWithApi(page, first, "bytes", "level 1");
    eq(await page.$$eval("#crumbs .crumb", (x) => x.length), 2, "level 1: two breadcrumbs");
    await page.screenshot({ path: path.join(OUT, "2-level1.png"), fullPage: true });

    // 3. click into the second level through the treemap (the largest tile
    //    with a prefix: the first child by bytes)
    const l1kids = l1.kids.children.filter((c) => c.bytes > 0);
    check(l1kids.length > 0, "level 1 has children to drill into");
    if (l1kids.length > 0) {
      const second = l1kids[0].prefix;
      await page.click('#treemap a.tile[data-prefix="' + second.replace(/["\\]/g, "\\$&") + '"]');
      await ready(page, second);
      await compareWithApi(page, second, "bytes", "level 2");
      const crumbs = await page.$$eval("#crumbs .crumb", (x) => x.map((e) => e.textContent));
      eq(crumbs.length, 3, "level 2: three breadcrumbs");
      await page.screenshot({ path: path.join(OUT, "3-level2.png"), fullPage: true });
      // breadcrumb back to level 1
      await page.click("#crumbs a.crumb >> nth=1");
      await ready(page, first);
      check(true, "breadcrumb click goes up");
      // browser back returns to level 2
      await page.goBack();
      await ready(page, second);
      check(true, "history back restores the prefix");
    }

    // 4. sort by name: URL state and order from the API
    await page.click('#children thead button[data-sort="objects"]');
    await page.waitForFunction(() => new URLSearchParams(location.search).get("sort") === "objects");
    const cur = new URL(page.url()).searchParams.get("prefix") || "";
    await ready(page, cur);
    await compareWithApi(page, cur, "objects", "sorted by objects");

    // 5. search box: a deep prefix typed without its trailing slash
    const top = (await api("/api/top", { index: INDEX, depth: 3, limit: 5 })).body;
    check(top.results.length > 0, "top at depth 3 has results");
    if (top.results.length > 0) {
      const target = top.results[0].prefix;
      await page.fill("#search-input", target.slice(0, -1));
      await page.press("#search-input", "Enter");
      await ready(page, target);
      await compareWithApi(page, target, "objects", "search result");
      eq(await page.$$eval("#crumbs .crumb", (x) => x.length), 4, "search result: breadcrumbs to depth 3");
    }
    await page.fill("#search-input", "no/such/prefix/");
    await page.press("#search-input", "Enter");
    await page.waitForSelector("#message:not([hidden])");
    check((await page.textContent("#message")).includes("no/such/prefix/"), "search miss: message names the prefix");

    // 6. a shared URL with hostile characters opens directly
    const deep = (await api("/api/top", { index: INDEX, depth: 2, limit: 1000 })).body.results;
    const hostile = deep.map((r) => r.prefix).find((p) => /[ +%&#?]|[^\x00-\x7f]/.test(p));
    check(!!hostile, "generated index has a prefix with spaces/+/%/unicode");
    if (hostile) {
      const p2 = await ctx.newPage();
      p2.on("pageerror", (e) => errors.push("pageerror: " + e.message));
      const u = new URL(BASE + "/");
      u.searchParams.set("index", INDEX);
      u.searchParams.set("prefix", hostile);
      await p2.goto(u.toString());
      await ready(p2, hostile);
      await compareWithApi(p2, hostile, "bytes", "hostile prefix " + JSON.stringify(hostile));
      const last = await p2.$$eval("#crumbs .crumb", (x) => x[x.length - 1].textContent);
      const comp = hostile.slice(0, -1).split("/").pop();
      eq(last, comp === "" ? "(empty name)" : comp, "hostile prefix: last breadcrumb shows the name as text");
      await p2.screenshot({ path: path.join(OUT, "4-hostile.png"), fullPage: true });
      await p2.close();
    }

    // 7. phone viewport: no horizontal overflow, table and treemap stacked
    const phone = await ctx.newPage();
    await phone.setViewportSize({ width: 390, height: 844 });
    await phone.goto(BASE + "/?index=" + encodeURIComponent(INDEX) + "&prefix=" + encodeURIComponent(first));
    await ready(phone, first);
    const overflow = await phone.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    check(overflow <= 1, "phone: no horizontal scrolling (overflow " + overflow + "px)");
    const boxes = await phone.evaluate(() => [document.getElementById("children-panel"), document.getElementById("treemap-panel")]
      .map((e) => e.getBoundingClientRect().top));
    check(boxes[1] > boxes[0], "phone: treemap below the table");
    await phone.screenshot({ path: path.join(OUT, "5-phone.png"), fullPage: true });
    await phone.close();

    // 8. the analysis panels: age, cost, diff with the older index "old"
    eq(await page.$$eval("section.hook", (xs) => xs.map((x) => x.dataset.hook + ":" + x.hidden)),
      ["age:false", "cost:false", "diff:false"], "age, cost and diff panels shown");
    const ap = "/?index=" + encodeURIComponent(INDEX) + "&prefix=" + encodeURIComponent(first) + "&diff=old";
    await page.goto(BASE + ap);
    await ready(page, first);
    await page.waitForSelector("#diff-table tbody tr", { timeout: 15000 });
    await page.waitForSelector("#age-table tbody tr", { timeout: 15000 });
    await page.waitForSelector("#cost-total", { timeout: 15000 });
    const age = (await api("/api/age", { index: INDEX, prefix: first })).body;
    const shownAge = await page.$$eval("#age-table tbody tr", (trs) => trs.map((tr) =>
      ({ bucket: tr.dataset.bucket, objects: Number(tr.dataset.objects), bytes: Number(tr.dataset.bytes) })));
    eq(shownAge, age.age, "age panel: every bucket equals /api/age");
    const cst = (await api("/api/stats", { index: INDEX, prefix: first, cost: 1 })).body;
    eq(Number(await page.getAttribute("#cost-total", "data-usd")), cst.cost.usd_month, "cost panel: total equals the API");
    const dif = (await api("/api/diff", { old: "old", new: INDEX, prefix: first, depth: 1, sort: "growth", limit: 100 })).body;
    const shownDiff = await page.$$eval("#diff-table tbody tr", (trs) => trs.map((tr) =>
      ({ prefix: tr.dataset.prefix, delta: Number(tr.dataset.delta), cls: tr.className })));
    eq(shownDiff.map((r) => [r.prefix, r.delta]), dif.rows.map((r) => [r.prefix, r.delta.bytes]),
      "diff mode: every row's byte delta equals /api/diff");
    check(dif.rows.length > 0 && shownDiff.every((r) => (r.delta > 0) === (r.cls === "grow")),
      "diff mode: growth highlighted");
    eq(await page.inputValue("#diff-picker"), "old", "diff mode: the picker shows the URL's index");
    await page.screenshot({ path: path.join(OUT, "6-analysis.png"), fullPage: true });
    // switching the picker off removes diff from the URL
    await page.selectOption("#diff-picker", "");
    await ready(page, first);
    check(new URL(page.url()).searchParams.get("diff") === null, "diff mode off: the URL drops diff=");

    eq(errors, [], "no page errors or console errors (CSP included)");
  } catch (e) {
    failed++;
    console.log("FAIL: exception: " + (e && e.stack || e));
  } finally {
    await ctx.close();
    fs.rmSync(profile, { recursive: true, force: true });
  }
  console.log(passed + " passed, " + failed + " failed");
  process.exit(failed ? 1 : 0);
})();
