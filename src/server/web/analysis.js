// SPDX-License-Identifier: MIT
// analysis.js — the age, cost and diff panels of the s3inv web page, on
// the hooks of app.js (s3inv.registerPanel). Each renders after every
// navigation from the JSON API (docs/http-api.md):
//  - age:  GET /api/age            (hidden when the index has no age data)
//  - cost: GET /api/stats?cost=1 and /api/children?cost=1
//  - diff: GET /api/diff?old=OTHER&new=INDEX, OTHER chosen in the picker and
//          kept in the URL (?diff=NAME), rows linked to their prefix.
// Strings from the index go into the DOM as text only. Exact numbers sit
// in data-* attributes so tests can compare them with the API.
"use strict";

(function () {
  const el = (tag, cls, text) => {
    const e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined) e.textContent = text;
    return e;
  };
  const usd = (v) => v === null || v === undefined ? "–" :
    Math.abs(v) >= 1e6 ? "$" + (v / 1e6).toFixed(2) + "M" :
    Math.abs(v) >= 100 ? "$" + v.toFixed(0) : "$" + v.toFixed(2);
  const LONG = ["< 30 days", "30–90 days", "90–180 days", "180 days–1 year", "1–2 years",
    "2–5 years", "≥ 5 years"];

  function start() {
    const s3 = window.s3inv;
    if (!s3) return setTimeout(start, 20);
    let seq = 0;

    // ------------------------------------------------------------ age
    s3.registerPanel("age", async (ctx) => {
      const my = ++seq;
      if (!ctx.info || !ctx.info.has_age) { ctx.panel.hidden = true; return; }
      let r;
      try {
        r = await ctx.api("/api/age", { index: ctx.index, prefix: ctx.prefix });
      } catch (e) { ctx.panel.hidden = true; return; }
      if (my !== seq) return; /* a newer navigation is rendering */
      const total = r.age.reduce((a, b) => a + (ctx.info.has_size ? b.bytes : b.objects), 0);
      const t = el("table", "age");
      t.id = "age-table";
      const head = t.createTHead().insertRow();
      for (const h of ["Age", "Objects", "Size", "Share", ""]) head.append(el("th", null, h));
      const body = t.createTBody();
      r.age.forEach((b, i) => {
        const tr = body.insertRow();
        tr.dataset.bucket = b.bucket;
        tr.dataset.objects = b.objects;
        tr.dataset.bytes = b.bytes;
        tr.append(el("td", null, LONG[i] || b.bucket));
        tr.append(el("td", "num", ctx.fmt.count(b.objects)));
        tr.append(el("td", "num", ctx.info.has_size ? ctx.fmt.size(b.bytes) : "–"));
        const v = ctx.info.has_size ? b.bytes : b.objects;
        tr.append(el("td", "num", ctx.fmt.pct(v, total)));
        const bar = el("td", "bar-cell");
        const track = el("div", "stack");
        const seg = el("span", "seg");
        seg.style.width = (total > 0 ? (100 * v / total) : 0) + "%";
        seg.style.background = i >= 4 ? "#b07aa1" : i >= 2 ? "#f28e2b" : "#59a14f";
        track.append(seg);
        bar.append(track);
        tr.append(bar);
      });
      const note = el("p", "note", "Relative to the report of " + (r.report_date || "?") +
        ". Objects older than a year: " + ctx.fmt.size(r.age.slice(4).reduce((a, b) => a + b.bytes, 0)) +
        " — candidates for a colder storage class.");
      ctx.body.dataset.prefix = ctx.prefix;
      ctx.body.replaceChildren(t, note);
    });

    // ------------------------------------------------------------ cost
    s3.registerPanel("cost", async (ctx) => {
      let st, kids;
      try {
        st = await ctx.api("/api/stats", { index: ctx.index, prefix: ctx.prefix, cost: 1 });
        kids = await ctx.api("/api/children", { index: ctx.index, prefix: ctx.prefix, cost: 1,
          limit: 10 });
      } catch (e) { ctx.panel.hidden = true; return; }
      const c = st.cost;
      const big = el("div", "cost-total");
      big.id = "cost-total";
      big.dataset.usd = c.usd_month;
      big.append(el("span", "v", usd(c.usd_month)), el("span", "k", " per month"));
      const parts = el("ul", "legend");
      const items = [["storage", c.storage], ["archive overhead", c.archive_overhead],
        ["128 KiB minimum", c.min_size], ["IT monitoring", c.monitoring]];
      for (const [k, v] of items) parts.append(el("li", null, k + ": " + usd(v)));
      const note = el("p", "note", "Estimate at " + c.prices.region + " prices of " + c.prices.date +
        (c.min_size === null ? "; a lower bound (minimum sizes and monitoring not included)" : "") +
        ". See docs/cost.md.");
      const t = el("table", "cost-kids");
      t.id = "cost-children";
      const body = t.createTBody();
      const ch = kids.children.slice().sort((a, b) => b.cost.usd_month - a.cost.usd_month);
      for (const k of ch) {
        const tr = body.insertRow();
        tr.dataset.prefix = k.prefix;
        tr.dataset.usd = k.cost.usd_month;
        const a = el("a", null, k.prefix.slice(ctx.prefix.length) || "(root)");
        a.href = "#";
        a.addEventListener("click", (ev) => { ev.preventDefault(); s3.go(k.prefix); });
        const td = el("td");
        td.append(a);
        tr.append(td, el("td", "num", usd(k.cost.usd_month)));
      }
      ctx.body.replaceChildren(big, parts, t, note);
    });

    // ------------------------------------------------------------ diff
    s3.registerPanel("diff", async (ctx) => {
      const pick = document.getElementById("diff-picker");
      const me = ctx.indexes.find((x) => x.name === ctx.index);
      const others = ctx.indexes.filter((x) => x.name !== ctx.index);
      if (others.length === 0) { ctx.panel.hidden = true; return; }
      const cur = s3.state.diff;
      pick.replaceChildren(el("option", null, "—"));
      pick.firstChild.value = "";
      for (const x of others) {
        const same = me && x.source_bucket === me.source_bucket;
        const when = x.creation_ms ? new Date(x.creation_ms).toISOString().slice(0, 10) : "";
        const o = el("option", null, x.name + (when ? " (" + when + ")" : "") +
          (same ? "" : " — different bucket"));
        o.value = x.name;
        pick.append(o);
      }
      pick.value = cur && others.some((x) => x.name === cur) ? cur : "";
      pick.onchange = () => s3.go(ctx.prefix, { diff: pick.value || null });
      if (!pick.value) {
        ctx.body.replaceChildren(el("p", "note",
          "Choose an older index of the same bucket to see what grew and shrank under this prefix."));
        return;
      }
      let r;
      try {
        r = await ctx.api("/api/diff", { old: pick.value, new: ctx.index, prefix: ctx.prefix,
          depth: 1, sort: "growth", limit: 100 });
      } catch (e) {
        ctx.body.replaceChildren(el("p", "note", "No diff: " + e.message));
        return;
      }
      const t = el("table", "diff");
      t.id = "diff-table";
      const head = t.createTHead().insertRow();
      for (const h of ["Prefix", "Before", "After", "Change", ""]) head.append(el("th", null, h));
      const body = t.createTBody();
      for (const row of r.rows) {
        const tr = body.insertRow();
        const d = row.delta.bytes;
        tr.className = d > 0 ? "grow" : d < 0 ? "shrink" : "";
        tr.dataset.prefix = row.prefix;
        tr.dataset.delta = d;
        const a = el("a", null, row.prefix.slice(ctx.prefix.length));
        a.href = "#";
        a.addEventListener("click", (ev) => { ev.preventDefault(); s3.go(row.prefix); });
        const td = el("td");
        td.append(a);
        tr.append(td,
          el("td", "num", row.old ? ctx.fmt.size(row.old.bytes) : "–"),
          el("td", "num", row.new ? ctx.fmt.size(row.new.bytes) : "–"),
          el("td", "num", (d > 0 ? "+" : d < 0 ? "−" : "") + ctx.fmt.size(Math.abs(d))),
          el("td", "tag", row.old === null ? "new" : row.new === null ? "gone" : ""));
      }
      const parts = [t];
      if (r.warning) parts.unshift(el("p", "message", r.warning));
      parts.push(el("p", "note", r.total + " prefixes changed below this one (largest growth first)."));
      ctx.body.replaceChildren(...parts);
    });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
