// Product page: the plan line, sales history with the forecast band, and the do-nothing
// stock projection against the reorder point, marking the expected stockout date.
"use strict";

const HISTORY_DAYS = 180;

async function loadProduct() {
  const products = (await SW.get("/products", { page_size: 1000 })).items;  // suggestions
  const list = document.getElementById("product-ids");
  list.replaceChildren(...products.map((p) => new Option(`${p.sector || ""} ${p.product || ""}`,
                                                          p.product_id)));
  const input = document.getElementById("product-id");
  const id = SW.param("id") || (await firstUrgent()) || (products[0] && products[0].product_id);
  if (!id) { SW.say("No products yet: upload sales and inventory first."); return; }
  input.value = id;
  document.getElementById("page-title").textContent = `Product ${id}`;
  document.title = `Product ${id} · stockwise`;
  const path = encodeURIComponent(id);
  const product = await SW.get(`/products/${path}`);
  const history = (await SW.get(`/products/${path}/history`)).items;
  let plan = null;
  let forecasts = [];
  try {
    plan = await SW.get(`/plan/${path}`);
    forecasts = await SW.getAll("/forecasts", { unique_id: id, run_id: plan.run_id });
  } catch (error) {
    if (error.status !== 404) throw error;
    SW.say("No plan for this product yet: start a run on the Runs page.");
  }
  showFacts(product, plan);
  drawDemand(history, forecasts);
  if (plan) drawStock(plan);
  SW.table("product-alerts", plan ? plan.alerts : [], [
    { key: "type", label: "Type", format: SW.codes },
    { key: "severity", label: "Severity", format: SW.badge },
    { key: "value_at_stake", label: "Value at stake", num: true, format: SW.money },
    { key: "message", label: "Why", wrap: true },
  ]);
}

async function firstUrgent() {
  try { return (await SW.get("/plan", { page_size: 1 })).items[0]?.unique_id; }
  catch (error) { return null; }
}

function facts(id, pairs) {
  const dl = document.getElementById(id);
  dl.replaceChildren();
  for (const [label, value] of pairs) {
    const dt = document.createElement("dt");
    const dd = document.createElement("dd");
    dt.textContent = label;
    if (value instanceof Node) dd.appendChild(value); else dd.textContent = value;
    dl.append(dt, dd);
  }
}

function showFacts(product, plan) {
  const line = plan ? plan.line : {};
  facts("facts", plan ? [
    ["Urgency", SW.badge(line.urgency)],
    ["Order", SW.t("{qty} units by {date} (value {value})", { qty: SW.num(line.order_qty),
                   date: SW.date(line.order_date), value: SW.money(line.order_value, line) })],
    ["Supplier", line.supplier || "—"],
    ["Arrives", SW.date(line.arrival_date)],
    ["Runs out if nothing is ordered", SW.date(plan.stockout_date)],
    ["P(stockout before an order placed today arrives)", SW.pct(plan.stockout_probability)],
    ["On order", line.on_order ? `${SW.num(line.on_order)}` +
      (line.on_order_due ? ` ${SW.t("due")} ${SW.date(line.on_order_due)}`
                         : ` ${SW.t("(no due date)")}`) : SW.t("none")],
    ["Value at stake", line.severity
      ? `${SW.money(line.value_at_stake)} (${SW.t(line.severity)})` : "—"],
    ["Lost sales within lead time (value)", SW.money(line.expected_lost_value, line)],
    ["Days of cover", SW.num(line.days_of_cover, 1)],
    ["Reorder point", SW.num(plan.reorder_point, 1)],
    ["Order-up-to", SW.num(plan.order_up_to, 1)],
    ["Safety stock", SW.num(plan.safety_stock, 1)],
    ["Service level (cycle / fill rate)", `${SW.pct(line.cycle_service_level)} / ${SW.pct(line.fill_rate)}`],
    ["Why", line.reason || "—"],
  ] : [["Plan", SW.t("none yet")]]);
  const stock = product.stock || {};
  facts("stock-facts", [
    ["Sector / category",
      `${product.sector || SW.t("none in the data")} / ${product.category || "—"}`],
    ["On hand", SW.t("{qty} (counted on {date}, the inventory snapshot)",
                     { qty: SW.num(stock.on_hand), date: SW.date(stock.as_of) })],
    ["On order", `${SW.num(stock.on_order)}${stock.on_order_due
      ? ` ${SW.t("due")} ${SW.date(stock.on_order_due)}` : ""}`],
    ["Stock value", SW.money(stock.stock_value)],
    ["Lead time (days)", `${SW.num(stock.lead_time_days, 1)} ± ${SW.num(stock.lead_time_std_days, 1)}`],
    ["Unit cost", SW.num(stock.unit_cost, 2)],
    ["MOQ / pack", `${SW.num(stock.moq)} / ${SW.num(stock.pack_size)}`],
    ["Shelf life (days)", SW.num(stock.shelf_life_days)],
    ["Batches", String((product.batches || []).length)],
  ]);
}

// Sectors forecast per day, week (starting Monday) or month (from the 1st): the history
// is summed to the forecast's period so both lines share one scale; partial periods at
// either end are left out rather than drawn too low.
function frequency(forecasts) {
  if (forecasts.length < 2) return "D";
  const gap = (Date.parse(forecasts[1].ds) - Date.parse(forecasts[0].ds)) / 86400000;
  return gap >= 28 ? "M" : gap >= 7 ? "W" : "D";
}

function periodTotals(history, freq) {
  if (freq === "D") return history.map((r) => [r.ds.slice(0, 10), r.y]);
  const sums = new Map();
  for (const row of history) {
    const day = new Date(row.ds.slice(0, 10) + "T00:00:00Z");
    if (freq === "W") day.setUTCDate(day.getUTCDate() - ((day.getUTCDay() + 6) % 7));
    else day.setUTCDate(1);
    const key = day.toISOString().slice(0, 10);
    const [total, days] = sums.get(key) || [0, 0];
    sums.set(key, [total + (Number(row.y) || 0), days + 1]);
  }
  const full = (key) => (freq === "W" ? 7 : new Date(Date.UTC(+key.slice(0, 4), +key.slice(5, 7), 0)).getUTCDate());
  return [...sums].filter(([key, [, days]]) => days === full(key)).map(([key, [total]]) => [key, total]);
}

function drawDemand(history, forecasts) {
  const freq = frequency(forecasts);
  const unit = { D: "day", W: "week", M: "month" }[freq];
  const cut = new Date(Date.parse(history.length ? history[history.length - 1].ds : 0) -
                       HISTORY_DAYS * 86400000).toISOString().slice(0, 10);
  const recent = periodTotals(history.filter((r) => r.ds.slice(0, 10) > cut), freq);
  const traces = [{ type: "scatter", mode: "lines", name: `sales per ${unit}`,
                    x: recent.map((r) => r[0]), y: recent.map((r) => r[1]),
                    line: { color: SW.PALETTE[0], width: 1.4 } }];
  const levels = forecasts.length ? Object.keys(forecasts[0].hi || {}).map(Number)
    .filter((l) => l === 80 || l === 95).sort((a, b) => b - a) : [];
  const x = forecasts.map((f) => f.ds);
  for (const level of levels) {
    const fill = level >= 95 ? "rgba(217,72,15,0.12)" : "rgba(217,72,15,0.24)";
    traces.push({ type: "scatter", mode: "lines", x, y: forecasts.map((f) => f.hi[level]),
                  line: { width: 0 }, showlegend: false, hoverinfo: "skip" });
    traces.push({ type: "scatter", mode: "lines", x, y: forecasts.map((f) => f.lo[level]),
                  fill: "tonexty", fillcolor: fill, line: { width: 0 },
                  name: `${level}% interval`, hoverinfo: "skip" });
  }
  const method = document.getElementById("forecast-method");
  method.hidden = !forecasts.length;
  if (forecasts.length) {
    const model = forecasts[0].model;
    traces.push({ type: "scatter", mode: "lines", name: "forecast", x,
                  y: forecasts.map((f) => f.forecast), meta: SW.modelWords(model),
                  hovertemplate: "%{y:,.1f} (%{meta})<extra>forecast</extra>",
                  line: { color: SW.PALETTE[1], dash: "dash" } });
    const words = document.getElementById("forecast-words");
    words.textContent = SW.modelWords(model);
    words.title = SW.t("Model: {name}", { name: model });  // the technical name, on asking
  }
  SW.chart("chart-demand", traces, { yaxis: { title: { text: `units per ${unit}` }, rangemode: "tozero" },
                                     hovermode: "x unified" });
}

function drawStock(plan) {
  const p = plan.projection;
  const x = p.map((r) => r.ds);
  const traces = [
    { type: "scatter", mode: "lines", name: "expected on hand", x,
      y: p.map((r) => r.expected_on_hand), line: { color: SW.PALETTE[2] } },
    { type: "scatter", mode: "lines", name: "reorder point", x,
      y: p.map(() => plan.reorder_point), line: { color: "#868e96", dash: "dash" } },
    { type: "scatter", mode: "lines", name: "P(out of stock by day)", x, yaxis: "y2",
      y: p.map((r) => r.stockout_by), line: { color: SW.COLORS.critical, width: 1, dash: "dot" } },
  ];
  const shapes = [];
  const annotations = [];
  const mark = (when, label, color) => {
    if (!when) return;
    shapes.push({ type: "line", x0: when, x1: when, y0: 0, y1: 1, yref: "paper",
                  line: { color, dash: "dot", width: 1.5 } });
    annotations.push({ x: when, y: 1, yref: "paper", text: `${label} ${SW.date(when)}`,
                       showarrow: false, xanchor: "left", yanchor: "top",
                       font: { color, size: 11 }, bgcolor: "rgba(255,255,255,0.7)" });
  };
  mark(plan.stockout_date, "stockout", SW.COLORS.critical);
  mark(plan.line.order_date, "order", SW.PALETTE[2]);
  SW.chart("chart-stock", traces, {
    shapes, annotations, hovermode: "x unified", margin: { l: 60, r: 70, t: 40, b: 40 },
    yaxis: { title: { text: "units" }, rangemode: "tozero" },
    yaxis2: { title: { text: "P(stockout)" }, overlaying: "y", side: "right", range: [0, 1],
              tickformat: ".0%", dtick: 0.25, showgrid: false },
  });
}

document.getElementById("pick").addEventListener("submit", (event) => {
  event.preventDefault();
  const id = document.getElementById("product-id").value.trim();
  if (id) window.location.search = `?id=${encodeURIComponent(id)}`;
});
SW.start(loadProduct);
