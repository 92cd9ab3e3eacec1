// SPDX-License-Identifier: MIT
// app.js — the s3inv web page: navigation state in the URL, calls to the
// JSON API (docs/http-api.md), and rendering of the breadcrumb, totals,
// storage-class bars, the children table and a squarified treemap.
//
// Rules: every string from the index (prefixes, class names) goes into the
// DOM as text (textContent), never as HTML. State is (index, prefix, sort)
// in the query string; pushState on navigation, popstate to go back.
// The exact numbers are kept in data-* attributes and tooltips, so what the
// page shows can be checked against the API (tests/web).
//
// Hooks for issue 6: s3inv.registerPanel("age"|"cost"|"diff", fn) shows the
// matching hidden panel and calls fn(ctx) after every navigation, where ctx
// = {index, prefix, stats, info, panel, body, api, fmt}.
"use strict";

(function () {
  const PAGE = 100;      // children rows per page
  const TREEMAP_MAX = 100;

  const $ = (id) => document.getElementById(id);
  const el = (tag, cls, text) => {
    const e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined) e.textContent = text;
    return e;
  };

  // ---------------------------------------------------------------- format
  const UNITS = ["B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"];
  // Same rules as the CLI (src/front/fmt.c): one decimal below 100 of a unit.
  function fmtSize(n) {
    if (n < 1024) return n + " B";
    let v = n, u = 0;
    while (v >= 1024 && u < UNITS.length - 1) { v /= 1024; u++; }
    let s = v >= 99.95 || u === UNITS.length - 1 ? v.toFixed(0) : v.toFixed(1);
    if (s === "1024" && u < UNITS.length - 1) { s = "1.0"; u++; }
    return s + " " + UNITS[u];
  }
  const fmtCount = (n) => String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  const fmtPct = (part, whole) => whole <= 0 ? "–" :
    part > 0 && 1000 * part < whole ? "<0.1%" : (100 * part / whole).toFixed(1) + "%";
  const fmt = { size: fmtSize, count: fmtCount, pct: fmtPct };

  // ---------------------------------------------------------------- colours
  const CLASS_COLORS = {
    "STANDARD": "#4e79a7",
    "STANDARD_IA": "#f28e2b",
    "ONEZONE_IA": "#edc948",
    "INTELLIGENT_TIERING": "#59a14f",
    "INTELLIGENT_TIERING:FREQUENT_ACCESS": "#8cd17d",
    "INTELLIGENT_TIERING:INFREQUENT_ACCESS": "#499894",
    "INTELLIGENT_TIERING:ARCHIVE_INSTANT_ACCESS": "#86bcb6",
    "INTELLIGENT_TIERING:ARCHIVE_ACCESS": "#3d8b3d",
    "INTELLIGENT_TIERING:DEEP_ARCHIVE_ACCESS": "#2f5f2f",
    "GLACIER_IR": "#76b7b2",
    "GLACIER": "#b07aa1",
    "DEEP_ARCHIVE": "#6b4c7a",
    "REDUCED_REDUNDANCY": "#bab0ac",
    "EXPRESS_ONEZONE": "#e15759",
    "OUTPOSTS": "#ff9da7",
    "SNOW": "#9d9d9d",
  };
  function classColor(name) {
    if (CLASS_COLORS[name]) return CLASS_COLORS[name];
    let h = 0;
    for (let i = 0; i < name.length; i++) h = (h * 31 + name.charCodeAt(i)) >>> 0;
    return "hsl(" + (h % 360) + ",45%,55%)";
  }
  function isLight(color) {
    const m = /^#(..)(..)(..)$/.exec(color);
    if (!m) return false;
    const [r, g, b] = m.slice(1).map((x) => parseInt(x, 16));
    return 0.299 * r + 0.587 * g + 0.114 * b > 160;
  }

  // ---------------------------------------------------------------- state
  const S = {
    index: null, prefix: "", sort: "bytes", diff: null,
    indexes: [], info: null,
    stats: null, children: [], total: 0, direct: null,
    token: sessionStorage.getItem("s3inv-token") || null,
    seq: 0,
  };
  const hooks = {};

  function readUrl() {
    const q = new URLSearchParams(location.search);
    S.index = q.get("index");
    S.prefix = q.get("prefix") || "";
    const s = q.get("sort");
    S.sort = s === "objects" || s === "name" ? s : "bytes";
    S.diff = q.get("diff");
  }
  function urlFor(index, prefix, sort, diff) {
    const q = new URLSearchParams();
    if (index !== null) q.set("index", index);
    if (prefix) q.set("prefix", prefix);
    if (sort && sort !== "bytes") q.set("sort", sort);
    if (diff) q.set("diff", diff);
    const s = q.toString();
    return location.pathname + (s ? "?" + s : "");
  }
  function go(prefix, opts) {
    opts = opts || {};
    const sort = opts.sort || S.sort;
    const index = opts.index !== undefined ? opts.index : S.index;
    const diff = opts.diff !== undefined ? opts.diff : S.diff;
    history.pushState(null, "", urlFor(index, prefix, sort, diff));
    readUrl();
    render();
  }

  // ---------------------------------------------------------------- api
  class ApiError extends Error {
    constructor(status, body) {
      super((body && body.error) || ("HTTP " + status));
      this.status = status;
      this.body = body;
    }
  }
  async function api(path, params, init) {
    const q = new URLSearchParams();
    for (const [k, v] of Object.entries(params || {}))
      if (v !== undefined && v !== null) q.set(k, String(v));
    const url = path + (q.toString() ? "?" + q.toString() : "");
    const headers = Object.assign({}, (init && init.headers) || {});
    if (S.token) headers["Authorization"] = "Bearer " + S.token;
    const res = await fetch(url, Object.assign({}, init || {}, { headers }));
    let body = null;
    try { body = await res.json(); } catch (e) { body = null; }
    if (res.status === 401) {
      const t = window.prompt("This server needs an access token:");
      if (t) {
        S.token = t;
        sessionStorage.setItem("s3inv-token", t);
        return api(path, params, init);
      }
    }
    if (!res.ok) throw new ApiError(res.status, body);
    return body;
  }

  // ---------------------------------------------------------------- prefixes
  const delim = () => (S.info && S.info.delimiter) || "/";
  // The components of PREFIX, each ending in the delimiter ("a//b/" → a/, /, b/).
  function components(prefix) {
    const d = delim(), out = [];
    let start = 0;
    for (let i = 0; i < prefix.length; i++)
      if (prefix[i] === d) { out.push(prefix.slice(start, i + 1)); start = i + 1; }
    if (start < prefix.length) out.push(prefix.slice(start));
    return out;
  }
  // A child's name relative to its parent, without the trailing delimiter.
  function childName(child, parent) {
    let n = child.startsWith(parent) ? child.slice(parent.length) : child;
    if (n.endsWith(delim())) n = n.slice(0, -1);
    return n === "" ? "(empty name)" : n;
  }
  function dominantClass(classes) {
    let best = null, bv = -1;
    for (const [k, v] of Object.entries(classes || {})) {
      const x = S.info && S.info.has_size ? v.bytes : v.objects;
      if (x > bv) { bv = x; best = k; }
    }
    return best;
  }
  const measure = (s) => (S.info && S.info.has_size ? s.bytes : s.objects);

  // ---------------------------------------------------------------- render
  function showMessage(text, kind) {
    const m = $("message");
    m.textContent = text;
    m.className = "message " + (kind || "error");
    m.hidden = !text;
  }

  function renderCrumbs() {
    const nav = $("crumbs");
    nav.replaceChildren();
    const rootName = (S.info && S.info.source_bucket) || S.index || "root";
    const parts = components(S.prefix);
    const add = (label, prefix, current) => {
      if (current) {
        const s = el("span", "crumb current", label);
        s.setAttribute("aria-current", "page");
        nav.append(s);
      } else {
        const a = el("a", "crumb", label);
        a.href = urlFor(S.index, prefix, S.sort, S.diff);
        a.dataset.prefix = prefix;
        a.addEventListener("click", (ev) => { ev.preventDefault(); go(prefix); });
        nav.append(a);
      }
    };
    add(rootName, "", parts.length === 0);
    let acc = "";
    parts.forEach((p, i) => {
      acc += p;
      nav.append(el("span", "sep", "›"));
      const label = p.endsWith(delim()) ? p.slice(0, -1) : p;
      add(label === "" ? "(empty name)" : label, acc, i === parts.length - 1);
    });
  }

  function stackBar(container, classes, whole, big) {
    container.replaceChildren();
    const entries = Object.entries(classes || {}).map(([k, v]) => [k, measure(v)])
      .filter(([, v]) => v > 0).sort((a, b) => b[1] - a[1]);
    const tip = [];
    for (const [k, v] of entries) {
      const seg = el("span", "seg");
      seg.style.width = (100 * v / (whole || 1)) + "%";
      seg.style.background = classColor(k);
      seg.dataset.cls = k;
      const t = k + ": " + (S.info.has_size ? fmtSize(v) : fmtCount(v) + " objects") +
        " (" + fmtPct(v, whole) + ")";
      seg.title = t;
      tip.push(t);
      container.append(seg);
    }
    container.title = big ? "" : tip.join("\n");
    container.setAttribute("aria-label", tip.join("; ") || "no objects");
    return entries;
  }

  function renderSummary() {
    const st = S.stats, info = S.info;
    $("sum-bytes").textContent = info.has_size ? fmtSize(st.bytes) : "unknown";
    $("sum-bytes").dataset.bytes = st.bytes;
    $("sum-bytes-exact").textContent = info.has_size ? fmtCount(st.bytes) + " bytes" : "no Size column";
    $("sum-objects").textContent = fmtCount(st.objects);
    $("sum-objects").dataset.objects = st.objects;
    const root = S.indexes.find((x) => x.name === S.index);
    $("sum-share").textContent = root && S.prefix !== "" ?
      fmtPct(measure(st), measure(root.root)) + " of the bucket" : "whole bucket";
    $("sum-children").textContent = fmtCount(S.total);
    $("sum-direct").textContent = S.direct ?
      fmtCount(S.direct.objects) + (S.direct.objects === 1 ? " object" : " objects") + " directly here" : "";
    const hasV = info.has_versions;
    $("card-versions").hidden = !hasV;
    if (hasV) {
      $("sum-nc").textContent = fmtCount(st.noncurrent.objects);
      $("sum-dm").textContent = (info.has_size ? fmtSize(st.noncurrent.bytes) + " · " : "") +
        fmtCount(st.delete_markers) + " delete markers";
    }
    // classes
    const entries = stackBar($("classes-bar"), st.classes, measure(st), true);
    const legend = $("classes-legend");
    legend.replaceChildren();
    for (const [k, v] of entries) {
      const li = el("li");
      const sw = el("span", "swatch");
      sw.style.background = classColor(k);
      li.append(sw, el("span", "lname", k),
        el("span", "lval", (info.has_size ? fmtSize(v) : fmtCount(v)) + " · " + fmtPct(v, measure(st))));
      legend.append(li);
    }
    if (!entries.length) legend.append(el("li", "muted", "no current objects"));
  }

  function childRow(c, parentMeasure, maxMeasure) {
    const tr = el("tr", "child");
    tr.dataset.prefix = c.prefix;
    tr.dataset.bytes = c.bytes;
    tr.dataset.objects = c.objects;
    const name = el("td", "col-name");
    const a = el("a", "open", childName(c.prefix, S.prefix));
    a.href = urlFor(S.index, c.prefix, S.sort, S.diff);
    a.title = c.prefix;
    a.addEventListener("click", (ev) => {
      if (ev.ctrlKey || ev.metaKey || ev.shiftKey || ev.button !== 0) return;
      ev.preventDefault();
      go(c.prefix);
    });
    name.append(a);
    const m = measure(c);
    const bytes = el("td", "col-bytes");
    const bar = el("span", "bar");
    const fill = el("span", "fill");
    fill.style.width = (maxMeasure > 0 ? 100 * m / maxMeasure : 0) + "%";
    bar.append(fill);
    const btxt = el("span", "num", S.info.has_size ? fmtSize(c.bytes) : "–");
    btxt.title = fmtCount(c.bytes) + " bytes";
    bytes.append(bar, btxt);
    const share = el("td", "col-share num", fmtPct(m, parentMeasure));
    const objects = el("td", "col-objects num", fmtCount(c.objects));
    const classes = el("td", "col-classes");
    const sb = el("span", "stack");
    stackBar(sb, c.classes, m, false);
    classes.append(sb);
    tr.append(name, bytes, share, objects, classes);
    return tr;
  }

  function renderChildren() {
    const body = $("children-body");
    body.replaceChildren();
    const pm = measure(S.stats);
    const max = S.children.reduce((x, c) => Math.max(x, measure(c)), 0) || pm;
    for (const c of S.children) body.append(childRow(c, pm, S.sort === "bytes" || S.sort === "objects" ? Math.max(max, 1) : pm));
    if (S.direct && (S.direct.objects > 0 || S.children.length === 0)) {
      const tr = el("tr", "direct");
      const dm = S.info.has_size ? S.direct.bytes : S.direct.objects;
      const name = el("td", "col-name", S.children.length === 0 && S.direct.objects === 0 ?
        "(no objects)" : "(objects directly here)");
      const bytes = el("td", "col-bytes");
      const bar = el("span", "bar");
      const fill = el("span", "fill direct");
      fill.style.width = (pm > 0 ? 100 * dm / Math.max(max, dm, 1) : 0) + "%";
      bar.append(fill);
      const bt = el("span", "num", S.info.has_size ? fmtSize(S.direct.bytes) : "–");
      bt.title = fmtCount(S.direct.bytes) + " bytes";
      bytes.append(bar, bt);
      tr.append(name, bytes, el("td", "col-share num", fmtPct(dm, pm)),
        el("td", "col-objects num", fmtCount(S.direct.objects)), el("td", "col-classes"));
      body.append(tr);
    }
    $("children-title").textContent = S.total === 1 ? "1 child prefix" : fmtCount(S.total) + " child prefixes";
    $("children-count").textContent = S.total > S.children.length ?
      "showing " + fmtCount(S.children.length) + " of " + fmtCount(S.total) : "";
    $("more").hidden = !(S.total > S.children.length);
    for (const b of document.querySelectorAll("#children thead button")) {
      const on = b.dataset.sort === S.sort;
      b.classList.toggle("on", on);
      b.closest("th").setAttribute("aria-sort", on ? (S.sort === "name" ? "ascending" : "descending") : "none");
    }
  }

  // Squarified treemap (Bruls, Huizing, van Wijk 2000): lay out ITEMS
  // (sorted by value, descending) in the rectangle, rows chosen so the
  // worst aspect ratio in each row is as close to 1 as possible.
  function squarify(items, x, y, w, h) {
    const total = items.reduce((s, it) => s + it.value, 0);
    const out = [];
    if (total <= 0 || w <= 0 || h <= 0) return out;
    const scale = (w * h) / total;
    const areas = items.map((it) => it.value * scale);
    let i = 0;
    while (i < items.length) {
      const side = Math.min(w, h);
      let row = [areas[i]], sum = areas[i], j = i + 1;
      const worst = (s, mx, mn) => Math.max((side * side * mx) / (s * s), (s * s) / (side * side * mn));
      let mx = areas[i], mn = areas[i], cur = worst(sum, mx, mn);
      while (j < items.length) {
        const a = areas[j];
        const nw = worst(sum + a, Math.max(mx, a), Math.min(mn, a));
        if (nw > cur) break;
        row.push(a); sum += a; mx = Math.max(mx, a); mn = Math.min(mn, a); cur = nw; j++;
      }
      if (w >= h) { // a column on the left
        const cw = sum / h;
        let yy = y;
        for (let k = 0; k < row.length; k++) {
          const hh = row[k] / cw;
          out.push({ item: items[i + k], x: x, y: yy, w: cw, h: hh });
          yy += hh;
        }
        x += cw; w -= cw;
      } else { // a row on top
        const rh = sum / w;
        let xx = x;
        for (let k = 0; k < row.length; k++) {
          const ww = row[k] / rh;
          out.push({ item: items[i + k], x: xx, y: y, w: ww, h: rh });
          xx += ww;
        }
        y += rh; h -= rh;
      }
      i = j;
    }
    return out;
  }

  let treemapItems = [];
  function renderTreemap() {
    const box = $("treemap");
    box.replaceChildren();
    const W = box.clientWidth, H = box.clientHeight;
    if (!treemapItems.length) {
      box.append(el("div", "empty", "nothing to draw"));
      return;
    }
    const whole = measure(S.stats);
    for (const r of squarify(treemapItems, 0, 0, W, H)) {
      const it = r.item;
      const t = el(it.prefix !== undefined ? "a" : "div", "tile" + (it.kind ? " " + it.kind : ""));
      t.style.left = r.x + "px";
      t.style.top = r.y + "px";
      t.style.width = Math.max(0, r.w - 2) + "px";
      t.style.height = Math.max(0, r.h - 2) + "px";
      const color = it.color || "#888";
      t.style.background = color;
      if (isLight(color)) t.classList.add("dark-text");
      t.title = it.label + "\n" + (S.info.has_size ? fmtSize(it.bytes) + " · " : "") +
        fmtCount(it.objects) + " objects · " + fmtPct(it.value, whole);
      if (it.prefix !== undefined) {
        t.href = urlFor(S.index, it.prefix, S.sort, S.diff);
        t.dataset.prefix = it.prefix;
        t.addEventListener("click", (ev) => {
          if (ev.ctrlKey || ev.metaKey || ev.shiftKey) return;
          ev.preventDefault();
          go(it.prefix);
        });
      }
      if (r.w > 46 && r.h > 20) {
        t.append(el("span", "tname", it.label));
        if (r.h > 36) t.append(el("span", "tval", S.info.has_size ? fmtSize(it.bytes) : fmtCount(it.objects)));
      }
      box.append(t);
    }
  }

  function buildTreemapItems(bySize) {
    const items = [];
    let shown = 0, shownObj = 0, shownBytes = 0;
    for (const c of bySize) {
      const v = measure(c);
      shown += v; shownObj += c.objects; shownBytes += c.bytes;
      if (v <= 0) continue;
      const dc = dominantClass(c.classes);
      items.push({ value: v, prefix: c.prefix, label: childName(c.prefix, S.prefix),
        bytes: c.bytes, objects: c.objects, color: dc ? classColor(dc) : "#888" });
    }
    items.sort((a, b) => b.value - a.value);
    // the direct objects and the prefixes not fetched go last, so the
    // top-left of the map always shows real prefixes
    const d = S.direct;
    const dv = d ? (S.info.has_size ? d.bytes : d.objects) : 0;
    if (dv > 0) items.push({ value: dv, label: "(objects directly here)", bytes: d.bytes,
      objects: d.objects, color: "#9aa5b1", kind: "direct" });
    const rest = measure(S.stats) - shown - dv;
    if (rest > 0 && S.total > bySize.length)
      items.push({ value: rest, label: fmtCount(S.total - bySize.length) + " more prefixes",
        bytes: S.stats.bytes - shownBytes - (d ? d.bytes : 0),
        objects: S.stats.objects - shownObj - (d ? d.objects : 0), color: "#c3cad3", kind: "rest" });
    return items;
  }

  // ---------------------------------------------------------------- hooks
  function runHooks() {
    for (const [name, fn] of Object.entries(hooks)) {
      const panel = document.querySelector('section.hook[data-hook="' + name + '"]');
      if (!panel) continue;
      panel.hidden = false;
      try {
        fn({ index: S.index, prefix: S.prefix, stats: S.stats, info: S.info, panel,
          body: panel.querySelector(".hook-body"), api, fmt, indexes: S.indexes });
      } catch (e) { console.error("s3inv hook " + name, e); }
    }
  }

  // ---------------------------------------------------------------- main
  async function loadIndexes() {
    const r = await api("/api/indexes");
    S.indexes = r.indexes || [];
    const pick = $("index-picker");
    pick.replaceChildren();
    for (const x of S.indexes) {
      const o = el("option", null, x.name + (x.source_bucket ? " — " + x.source_bucket : ""));
      o.value = x.name;
      pick.append(o);
    }
  }

  async function render() {
    const seq = ++S.seq;
    document.body.dataset.ready = "";
    document.body.classList.add("loading");
    showMessage("");
    try {
      if (!S.indexes.length) await loadIndexes();
      if (!S.indexes.length) {
        showMessage("No index is served yet. Put a .s3i file in the served directory.", "info");
        return;
      }
      if (S.index === null || !S.indexes.some((x) => x.name === S.index)) {
        if (S.index !== null) showMessage("No index named “" + S.index + "”; showing " + S.indexes[0].name + ".", "info");
        S.index = S.indexes[0].name;
        history.replaceState(null, "", urlFor(S.index, S.prefix, S.sort, S.diff));
      }
      S.info = S.indexes.find((x) => x.name === S.index);
      $("index-picker").value = S.index;
      const q = { index: S.index, prefix: S.prefix };
      const wantSort = S.sort;
      const [stats, page] = await Promise.all([
        api("/api/stats", q),
        api("/api/children", Object.assign({ sort: wantSort, limit: PAGE }, q)),
      ]);
      let bySize = page.children;
      if (wantSort !== "bytes" || !S.info.has_size) {
        const t = await api("/api/children", Object.assign({ sort: S.info.has_size ? "bytes" : "objects", limit: TREEMAP_MAX }, q));
        bySize = t.children;
      } else if (bySize.length > TREEMAP_MAX) {
        bySize = bySize.slice(0, TREEMAP_MAX);
      }
      if (seq !== S.seq) return; // a newer navigation won
      S.prefix = stats.prefix; // canonical ("logs" → "logs/")
      S.stats = stats;
      S.children = page.children;
      S.total = page.total;
      S.direct = page.direct;
      document.title = (S.prefix || S.info.source_bucket || S.index) + " · s3inv";
      renderCrumbs();
      renderSummary();
      renderChildren();
      treemapItems = buildTreemapItems(bySize);
      renderTreemap();
      renderFoot();
      runHooks();
      document.body.classList.remove("loading");
      document.body.dataset.ready = S.index + "\u0000" + S.prefix;
    } catch (e) {
      if (seq !== S.seq) return;
      document.body.classList.remove("loading");
      if (e instanceof ApiError && e.status === 404 && e.body && "prefix" in e.body) {
        showMessage("No prefix “" + e.body.prefix + "” in " + S.index + ".", "error");
        renderCrumbs();
      } else {
        showMessage(e.message || String(e), "error");
      }
      document.body.dataset.ready = "error";
    }
  }

  function renderFoot() {
    const i = S.info, f = $("foot");
    f.replaceChildren();
    const parts = [];
    if (i.source_bucket) parts.push("bucket " + i.source_bucket);
    if (i.creation_ms) parts.push("report " + new Date(i.creation_ms).toISOString().replace("T", " ").slice(0, 16) + " UTC");
    parts.push(fmtCount(i.prefixes) + " prefixes");
    parts.push(fmtCount(i.rows) + " rows");
    if (i.file_format) parts.push(i.file_format);
    if (i.tool_version) parts.push(i.tool_version);
    f.textContent = parts.join(" · ");
  }

  async function loadMore() {
    const btn = $("more");
    btn.disabled = true;
    try {
      const page = await api("/api/children", { index: S.index, prefix: S.prefix, sort: S.sort,
        limit: PAGE, offset: S.children.length });
      S.children = S.children.concat(page.children);
      renderChildren();
    } catch (e) {
      showMessage(e.message, "error");
    } finally {
      btn.disabled = false;
    }
  }

  // Search: jump to what was typed (the API also tries it with the delimiter).
  async function search(ev) {
    ev.preventDefault();
    let v = $("search-input").value;
    if (v.startsWith("s3://")) { // s3://bucket/key → key
      const rest = v.slice(5), k = rest.indexOf("/");
      v = k < 0 ? "" : rest.slice(k + 1);
    }
    try {
      const st = await api("/api/stats", { index: S.index, prefix: v });
      $("search-input").value = "";
      go(st.prefix);
    } catch (e) {
      if (e instanceof ApiError && e.status === 404) showMessage("No prefix “" + v + "” in " + S.index + ".", "error");
      else showMessage(e.message, "error");
    }
  }

  // Suggestions: children of the typed text's parent that start with it.
  const suggestCache = new Map();
  let suggestTimer = 0;
  function suggest() {
    clearTimeout(suggestTimer);
    suggestTimer = setTimeout(async () => {
      const v = $("search-input").value, d = delim();
      const cut = v.lastIndexOf(d);
      const parent = cut < 0 ? "" : v.slice(0, cut + 1);
      const key = S.index + "\u0000" + parent;
      let kids = suggestCache.get(key);
      if (!kids) {
        try {
          kids = (await api("/api/children", { index: S.index, prefix: parent, sort: "bytes", limit: 1000 })).children.map((c) => c.prefix);
        } catch (e) { kids = []; }
        suggestCache.set(key, kids);
      }
      const list = $("search-list");
      list.replaceChildren();
      for (const p of kids.filter((p) => p.startsWith(v)).slice(0, 30)) {
        const o = el("option");
        o.value = p;
        list.append(o);
      }
    }, 120);
  }

  function init() {
    readUrl();
    $("index-picker").addEventListener("change", (ev) => go("", { index: ev.target.value }));
    $("search").addEventListener("submit", search);
    $("search-input").addEventListener("input", suggest);
    $("more").addEventListener("click", loadMore);
    for (const b of document.querySelectorAll("#children thead button"))
      b.addEventListener("click", () => go(S.prefix, { sort: b.dataset.sort }));
    window.addEventListener("popstate", () => { readUrl(); render(); });
    let rt = 0;
    new ResizeObserver(() => { clearTimeout(rt); rt = setTimeout(() => { if (S.stats) renderTreemap(); }, 60); })
      .observe($("treemap"));
    render();
  }

  // The hook API for issue 6 (age, cost, diff panels).
  window.s3inv = {
    registerPanel(name, fn) { hooks[name] = fn; if (S.stats) runHooks(); },
    api, fmt, state: S, go,
  };

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
