// stockwise dashboard: what every page shares. The pages are static HTML; all data comes
// from the JSON API with the key the user pasted once (localStorage, sent as X-API-Key).
// No framework and no build step: plain ES2020 that any current browser runs.
"use strict";

const SW = (() => {
  const KEY_STORE = "stockwise.apiKey";
  const API = document.body.dataset.api || "/api/v1";

  // --- words: the server's catalogue (stockwise/locales), inlined in the page ---------
  const LANG = document.documentElement.lang || "en";
  const WORDS = (() => {
    const node = document.getElementById("sw-words");
    try { return node ? JSON.parse(node.textContent) : {}; } catch (e) { return {}; }
  })();
  // A text in the page's language (as is when the catalogue has no entry), {names} filled.
  function t(text, values) {
    const found = Object.prototype.hasOwnProperty.call(WORDS, text) ? WORDS[text] : text;
    return values ? found.replace(/\{(\w+)\}/g, (m, k) => (k in values ? values[k] : m)) : found;
  }
  // The page's own texts (the templates are written in English): text nodes and the
  // placeholder, title and aria-label attributes, looked up with their spaces collapsed.
  function translatePage(root = document.body) {
    if (LANG === "en") return;
    const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const text = node.nodeValue.replace(/\s+/g, " ").trim();
      if (text && Object.prototype.hasOwnProperty.call(WORDS, text)) {
        const lead = /^\s*/.exec(node.nodeValue)[0];
        const tail = /\s*$/.exec(node.nodeValue)[0];
        node.nodeValue = lead + WORDS[text] + tail;
      }
    }
    for (const el of root.querySelectorAll("[placeholder], [title], [aria-label]")) {
      for (const name of ["placeholder", "title", "aria-label"]) {
        const value = el.getAttribute(name);
        if (value) el.setAttribute(name, t(value.replace(/\s+/g, " ").trim()));
      }
    }
    document.title = t(document.title.replace(" · stockwise", "")) + " · stockwise";
  }
  // A dashboard link that keeps the language the page was asked in.
  function href(path) {
    const asked = new URLSearchParams(window.location.search).get("lang");
    if (!asked) return path;
    return path + (path.includes("?") ? "&" : "?") + "lang=" + encodeURIComponent(asked);
  }

  // --- the API key --------------------------------------------------------------------
  function key() { return localStorage.getItem(KEY_STORE) || ""; }

  function setupKeyForm() {
    const form = document.getElementById("key-form");
    if (!form) return;
    const input = form.querySelector("input");
    const state = document.getElementById("key-state");
    const show = () => { state.textContent = t(key() ? "key saved" : "no key yet"); };
    input.value = "";
    show();
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      const value = input.value.trim();
      if (value) localStorage.setItem(KEY_STORE, value); else localStorage.removeItem(KEY_STORE);
      input.value = "";
      show();
      window.location.reload();
    });
  }

  // --- talking to the API -------------------------------------------------------------
  class ApiError extends Error {
    constructor(status, detail) {
      super(describe(status, detail));
      this.status = status;
      this.detail = detail;
    }
  }

  // The API answers every error as {"error": {status, code, message, hint, file, row,
  // column, issues}} (docs/api.md); show the message, the hint and the first issues.
  function describe(status, detail) {
    const hint = { 401: "The API key is missing or unknown: paste a key at the top right.",
                   403: "This key may not do that (a write key is needed).",
                   413: "The file is larger than the server accepts." }[status];
    const error = (detail && detail.error) || {};
    const parts = [hint, error.message || (typeof detail === "string" && detail) ||
                   `HTTP ${status}`];
    if (error.hint) parts.push(error.hint);
    const issues = Array.isArray(error.issues) ? error.issues : [];
    for (const issue of issues.slice(0, 5)) {
      parts.push(issue.message || [issue.file, issue.row && `row ${issue.row}`,
                                   issue.column].filter(Boolean).join(", "));
    }
    if (issues.length > 5) parts.push(`… and ${issues.length - 5} more problems`);
    return parts.filter(Boolean).join(" — ");
  }

  async function request(path, options = {}) {
    if (!key()) throw new ApiError(401, "");
    const headers = Object.assign({ "X-API-Key": key() }, options.headers || {});
    const response = await fetch(API + path, Object.assign({}, options, { headers }));
    if (!response.ok) {
      let detail = "";
      try { detail = await response.json(); } catch (e) { detail = ""; }
      throw new ApiError(response.status, detail);
    }
    return response;
  }

  // Sentences (alert messages, reasons) come in the page's language.
  const withLang = (params) => (LANG === "en" ? params : Object.assign({ lang: LANG }, params || {}));
  async function get(path, params) {
    return (await request(path + query(withLang(params)))).json();
  }

  async function send(method, path, body) {
    const options = { method };
    if (body instanceof FormData) options.body = body;
    else if (body !== undefined) {
      options.body = JSON.stringify(body);
      options.headers = { "Content-Type": "application/json" };
    }
    const response = await request(path, options);
    return response.status === 204 ? null : response.json();
  }

  function query(params) {
    if (!params) return "";
    const q = new URLSearchParams();
    for (const [k, v] of Object.entries(params)) {
      if (v !== undefined && v !== null && v !== "") q.set(k, v);
    }
    const s = q.toString();
    return s ? "?" + s : "";
  }

  // List endpoints are paginated ({items, page, page_size, total}); take every page.
  async function getAll(path, params = {}, pageSize = 1000) {
    const items = [];
    for (let page = 1; ; page += 1) {
      const answer = await get(path, Object.assign({}, params, { page, page_size: pageSize }));
      items.push(...answer.items);
      if (!answer.items.length || items.length >= answer.total) return items;
    }
  }

  // A file from the API (a plain link cannot send the key): fetch, then save the blob.
  async function download(path, params, fallbackName) {
    const response = await request(path + query(withLang(params)));
    const disposition = response.headers.get("Content-Disposition") || "";
    const match = /filename="?([^";]+)"?/.exec(disposition);
    saveBlob(await response.blob(), match ? match[1] : fallbackName);
  }

  function saveBlob(blob, name) {
    const url = URL.createObjectURL(blob);
    const link = document.createElement("a");
    link.href = url;
    link.download = name;
    document.body.appendChild(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10000);
  }

  // --- messages -----------------------------------------------------------------------
  function say(text, kind = "info", where = "messages") {
    const box = document.getElementById(where);
    if (!box) return;
    box.className = `message ${kind}`;
    box.setAttribute("role", kind === "error" ? "alert" : "status");  // errors interrupt
    box.textContent = t(text);
  }

  function fail(error, where = "messages") {
    say(error instanceof Error ? error.message : String(error), "error", where);
  }

  // Run a page's loader; with no key, ask for one instead of calling the API.
  async function start(loader) {
    translatePage();
    setupKeyForm();
    if (!key()) {
      say("Paste an API key (top right) to load the data. Keys are created on the server " +
          "with `stockwise keys create --scope write` (a read key shows data; a write key " +
          "also uploads files and starts runs).");
      return;
    }
    try { await loader(); } catch (error) { fail(error); }
  }

  // --- formatting ---------------------------------------------------------------------
  const isMissing = (v) => v === null || v === undefined || v === "" ||
    (typeof v === "number" && Number.isNaN(v));
  function num(v, digits = 0) {  // also used as a table formatter: (value, row)
    if (typeof digits !== "number") digits = 0;
    if (isMissing(v)) return "—";
    const n = Number(v);
    if (!Number.isFinite(n)) return n > 0 ? "∞" : "—";
    return n.toLocaleString(LANG === "fr" ? "fr-FR" : "en-US",
                            { minimumFractionDigits: digits, maximumFractionDigits: digits });
  }
  // Money with its currency code when the row names one (plan lines carry `currency`).
  const money = (v, row) => {
    const text = num(v, 0);
    return row && row.currency && text !== "—" ? `${text} ${row.currency}` : text;
  };
  // The one currency of some plan lines ("" when none or several: never add them up).
  function currencyOf(lines) {
    const found = new Set(lines.map((l) => l.currency).filter((c) => c));
    return found.size === 1 ? [...found][0] : "";
  }
  const pct = (v) => (isMissing(v) ? "—" : `${(Number(v) * 100).toFixed(0)} %`);
  const frenchDay = (iso) => (LANG === "fr" && /^\d{4}-\d\d-\d\d/.test(iso)
    ? `${iso.slice(8, 10)}/${iso.slice(5, 7)}/${iso.slice(0, 4)}${iso.slice(10)}` : iso);
  const date = (v) => (isMissing(v) ? "—" : frenchDay(String(v).slice(0, 10)));
  const when = (v) => (isMissing(v) ? "—" : frenchDay(String(v).replace("T", " ").slice(0, 19)));
  const slug = (v) => String(v).toLowerCase().replace(/[^a-z0-9]+/g, "-");

  function badge(text) {
    const span = document.createElement("span");
    span.className = `badge ${slug(text)}`;
    span.textContent = t(text);
    return span;
  }

  // Codes such as "stockout_risk, overstock", each in the page's language.
  const codes = (v) => (isMissing(v) ? "—" : String(v).split(", ").map((c) => t(c)).join(", "));

  function productLink(id) {
    const a = document.createElement("a");
    a.href = href(`/product?id=${encodeURIComponent(id)}`);
    a.textContent = id;
    return a;
  }

  // columns: [{key, label, format?: (value, row) => string | Node, num?: bool, wrap?: bool}]
  function table(container, rows, columns, caption) {
    const holder = typeof container === "string" ? document.getElementById(container) : container;
    holder.replaceChildren();
    const grid = document.createElement("table");
    if (caption) {
      const c = document.createElement("caption");
      c.textContent = t(caption);
      grid.appendChild(c);
    }
    const head = grid.createTHead().insertRow();
    for (const col of columns) {
      const th = document.createElement("th");
      th.scope = "col";
      th.textContent = t(col.label || col.key);
      if (col.num) th.className = "num";
      head.appendChild(th);
    }
    const body = grid.createTBody();
    for (const row of rows) {
      const tr = body.insertRow();
      for (const col of columns) {
        const td = tr.insertCell();
        const value = col.format ? col.format(row[col.key], row) : row[col.key];
        if (value instanceof Node) td.appendChild(value);
        else td.textContent = isMissing(value) ? "—" : String(value);
        if (col.num) td.className = "num";
        if (col.wrap) td.className = "wrap";
      }
    }
    if (!rows.length) {
      const td = body.insertRow().insertCell();
      td.colSpan = columns.length;
      td.className = "muted";
      td.textContent = t("Nothing to show.");
    }
    const wrap = document.createElement("div");
    wrap.className = "table-wrap";
    wrap.appendChild(grid);
    holder.appendChild(wrap);
    return grid;
  }

  function kpis(container, items) {
    const dl = document.getElementById(container);
    dl.replaceChildren();
    for (const [label, value] of items) {
      const div = document.createElement("div");
      const dt = document.createElement("dt");
      const dd = document.createElement("dd");
      dt.textContent = t(label);
      dd.textContent = value;
      div.append(dt, dd);
      dl.appendChild(div);
    }
  }

  // --- charts (Plotly, served by this app from the installed plotly package) -----------
  const PALETTE = ["#1f6feb", "#d9480f", "#2f9e44", "#9c36b5", "#e67700", "#0c8599",
                   "#c2255c", "#5c7cfa", "#868e96", "#66a80f"];
  const COLORS = { critical: "#c92a2a", high: "#e8590c", medium: "#e67700", low: "#2f9e44" };

  function chart(id, traces, layout = {}) {
    const base = { template: "plotly_white", margin: { l: 60, r: 20, t: 40, b: 40 },
                   legend: { orientation: "h", y: -0.18 }, height: 340,
                   font: { family: "system-ui, sans-serif", size: 12 },
                   separators: LANG === "fr" ? ", " : ".," };
    for (const trace of traces) if (typeof trace.name === "string") trace.name = t(trace.name);
    for (const axis of ["xaxis", "yaxis", "yaxis2"]) {
      const title = layout[axis] && layout[axis].title;
      if (title && typeof title.text === "string") title.text = t(title.text);
    }
    return Plotly.newPlot(id, traces, Object.assign(base, layout),
                          { displaylogo: false, responsive: true });
  }

  // values: strings, or [value, label] pairs (e.g. a group named "all" said in words)
  function fillSelect(select, values, allLabel) {
    const el = typeof select === "string" ? document.getElementById(select) : select;
    const current = el.value;
    const pairs = values.map((v) => (Array.isArray(v) ? v : [v, v]));
    el.replaceChildren(new Option(t(allLabel), ""));
    for (const [value, label] of pairs) el.appendChild(new Option(label, value));
    if (pairs.some(([value]) => value === current)) el.value = current;
  }

  // The sectors, with the products stored without one as one more group ("all"), each
  // with its label; [value, label] pairs for fillSelect.
  async function sectorGroups() {
    return getAll("/sectors", { unsectored: true });
  }
  function sectorChoices(groups) {
    return groups.map((s) => [s.sector, t(s.label || s.sector)]);
  }

  // A model's name in a buyer's words (the name itself goes in a tooltip): what kind of
  // method made the forecast, not which library class.
  const METHODS = [
    [/^(Seasonal)?Naive$/, (m) => (m.startsWith("Seasonal") ? "same period last season" : "last value repeated")],
    [/^(HistoricAverage|Mean)$/, () => "long-run average"],
    [/^(WindowAverage|MovingAverage)$/, () => "recent average"],
    [/^(AutoETS|ETS|HoltWinters.*)$/, () => "trend and season smoothing"],
    [/^(AutoARIMA|ARIMA)$/, () => "trend and season statistics (ARIMA)"],
    [/^(AutoTheta|Theta)$/, () => "trend smoothing (Theta)"],
    [/^(AutoCES|CES)$/, () => "trend and season smoothing (CES)"],
    [/^(MedianCombo|Combo)$/, () => "3 methods combined"],
    [/^(Croston.*|SBA|TSB|ADIDA|IMAPA)$/, () => "method for occasional sales"],
    [/^(LightGBM.*|XGBoost|RandomForest|SklearnRegressor)$/, () => "machine learning on past sales"],
    [/^LSTM/, () => "neural network"],
  ];
  function modelWords(name) {
    const text = String(name || "");
    const ensemble = /^Ensemble\[(\w+): (.*)\]$/.exec(text);
    if (ensemble) return t("{count} methods combined", { count: ensemble[2].split("+").length });
    const found = METHODS.find(([pattern]) => pattern.test(text));
    return t(found ? found[1](text) : "statistical method");
  }

  function param(name) { return new URLSearchParams(window.location.search).get(name); }

  return { API, LANG, t, href, translatePage, key, get, getAll, send, download, saveBlob,
           say, fail, start, num, money,
           currencyOf,
           pct, date, when, badge, codes, productLink, table, kpis, chart, fillSelect, param,
           sectorGroups, sectorChoices, modelWords,
           PALETTE, COLORS, ApiError };
})();
