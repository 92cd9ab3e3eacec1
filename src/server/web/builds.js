// SPDX-License-Identifier: MIT
// builds.js — the "Reports / builds" panel of the s3inv web page, shown only
// when the server runs with --source (GET /api/reports answers 200).
//
// It lists the reports of each source (built or not) and the recent builds
// with cancel and retry buttons, and follows progress through the
// Server-Sent Events stream GET /api/builds/events. The stream is read with
// fetch() rather than EventSource so the bearer token can be sent; the
// server ends it when idle and the panel reconnects after the "retry:" hint.
// All text from the server goes into the DOM as textContent.
"use strict";

(function () {
  const $ = (id) => document.getElementById(id);
  const el = (tag, cls, text) => {
    const e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined && text !== null) e.textContent = text;
    return e;
  };
  let lastKey = "", retryMs = 3000, started = false;

  const S3 = () => window.s3inv;
  const fmtSize = (n) => S3().fmt.size(n);
  const fmtEta = (s) => s === null || s === undefined ? "" :
    s < 90 ? Math.round(s) + " s left" : Math.round(s / 60) + " min left";

  function renderReports(d) {
    const box = $("reports-body");
    box.textContent = "";
    for (const src of d.sources) {
      const h = el("h3", "src-name", src.source);
      box.appendChild(h);
      if (src.error) box.appendChild(el("div", "message", src.error));
      const t = el("table", "reports");
      const hr = el("tr");
      for (const c of ["Report", "Format", "Files", "Size", "Index"]) hr.appendChild(el("th", null, c));
      t.appendChild(el("thead")).appendChild(hr);
      const tb = el("tbody");
      for (const r of src.reports) {
        const tr = el("tr");
        tr.dataset.date = r.date;
        tr.appendChild(el("td", null, r.date + (r.complete ? "" : " (incomplete)")));
        tr.appendChild(el("td", null, r.format));
        tr.appendChild(el("td", "num", String(r.files)));
        tr.appendChild(el("td", "num", fmtSize(r.bytes)));
        const td = el("td");
        if (r.index) {
          const a = el("a", null, r.index);
          a.href = "?index=" + encodeURIComponent(r.index);
          td.appendChild(a);
        } else td.textContent = "–";
        tr.appendChild(td);
        tb.appendChild(tr);
      }
      if (!src.reports.length) tb.appendChild(el("tr")).appendChild(el("td", null, "no reports found"));
      t.appendChild(tb);
      box.appendChild(t);
    }
  }

  async function act(what, id) {
    try {
      await S3().api("/api/builds/" + what, { id }, { method: "POST" });
    } catch (e) { window.alert(e.message); }
    refresh();
  }

  function progress(b) {
    const wrap = el("div", "progress");
    const bar = el("div", "fill");
    bar.style.width = Math.max(0, Math.min(100, b.percent)) + "%";
    wrap.appendChild(bar);
    wrap.setAttribute("role", "progressbar");
    wrap.setAttribute("aria-valuenow", String(b.percent));
    return wrap;
  }

  function renderBuilds(d) {
    const box = $("builds-body");
    box.textContent = "";
    if (!d.builds.length) { box.appendChild(el("div", "muted", "no builds yet")); return; }
    const ul = el("ul", "builds");
    for (const b of d.builds) {
      const li = el("li", "build st-" + b.state);
      li.id = "build-" + b.id;
      li.appendChild(el("span", "b-date", b.date));
      li.appendChild(el("span", "b-state", b.state + (b.phase && b.state === "running" ? " · " + b.phase : "")));
      if (b.state === "running" || b.state === "queued") {
        li.appendChild(progress(b));
        li.appendChild(el("span", "b-pct", b.percent.toFixed(1) + "% " + fmtEta(b.eta_s)));
        const c = el("button", null, "Cancel");
        c.type = "button";
        c.addEventListener("click", () => act("cancel", b.id));
        li.appendChild(c);
      } else if (b.state === "failed" || b.state === "cancelled") {
        if (b.error) li.appendChild(el("span", "b-err", b.error));
        const r = el("button", null, "Retry");
        r.type = "button";
        r.addEventListener("click", () => act("retry", b.id));
        li.appendChild(r);
      } else if (b.index) {
        li.appendChild(el("span", "b-pct", b.elapsed_s + " s → " + b.index));
      }
      ul.appendChild(li);
    }
    box.appendChild(ul);
  }

  async function refresh() {
    try {
      const [r, b] = await Promise.all([S3().api("/api/reports"), S3().api("/api/builds")]);
      renderReports(r);
      renderBuilds(b);
    } catch (e) { /* shown on the next event */ }
  }

  // Update the running build in place; refresh the lists when a build
  // starts or ends.
  function onEvent(ev) {
    const key = (ev.running ? ev.running.id + ev.running.state : "-") + "/" + (ev.last ? ev.last.id + ev.last.state : "-") + "/" + ev.queued;
    if (key !== lastKey) { lastKey = key; refresh(); return; }
    const b = ev.running;
    if (!b) return;
    const li = $("build-" + b.id);
    if (!li) return;
    const f = li.querySelector(".fill"), p = li.querySelector(".b-pct"), s = li.querySelector(".b-state");
    if (f) f.style.width = b.percent + "%";
    if (p) p.textContent = b.percent.toFixed(1) + "% " + fmtEta(b.eta_s);
    if (s) s.textContent = b.state + (b.phase ? " · " + b.phase : "");
  }

  async function stream() {
    const headers = {};
    const tok = S3().state.token;
    if (tok) headers["Authorization"] = "Bearer " + tok;
    try {
      const res = await fetch("/api/builds/events", { headers });
      if (!res.ok || !res.body) throw new Error("HTTP " + res.status);
      const rd = res.body.getReader(), dec = new TextDecoder();
      let buf = "";
      for (;;) {
        const { value, done } = await rd.read();
        if (done) break;
        buf += dec.decode(value, { stream: true });
        let i;
        while ((i = buf.indexOf("\n\n")) >= 0) {
          const block = buf.slice(0, i);
          buf = buf.slice(i + 2);
          for (const line of block.split("\n")) {
            if (line.startsWith("retry: ")) retryMs = Math.max(1000, parseInt(line.slice(7), 10) || 3000);
            else if (line.startsWith("data: ")) {
              try { onEvent(JSON.parse(line.slice(6))); } catch (e) { /* ignore a bad event */ }
            }
          }
        }
      }
    } catch (e) { retryMs = Math.max(retryMs, 5000); }
    setTimeout(stream, retryMs);
  }

  async function init() {
    if (started || !window.s3inv) return;
    started = true;
    let r;
    try { r = await S3().api("/api/reports"); } catch (e) { return; }
    if (!r || !r.enabled) return; // no --source
    $("panel-builds").hidden = false;
    renderReports(r);
    $("builds-rescan").addEventListener("click", () => act("rescan"));
    refresh();
    stream();
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
