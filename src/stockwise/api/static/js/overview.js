// Overview: key figures, alerts and stock value per sector, sales per sector, urgent lines.
"use strict";

const SEVERITIES = ["critical", "high", "medium", "low"];

async function loadOverview() {
  const sector = document.getElementById("sector").value;
  const all = await SW.sectorGroups();
  SW.fillSelect("sector", SW.sectorChoices(all), "all sectors");
  const sectors = sector ? all.filter((s) => s.sector === sector) : all;
  const runs = await SW.get("/runs", { status: "succeeded", kind: "plan", page_size: 1 });
  const run = runs.items[0];
  document.getElementById("run-info").textContent = run
    ? SW.t("Figures from plan run {id}, finished {when} UTC.",
           { id: run.id, when: SW.when(run.finished_at) })
    : SW.t("No plan run has succeeded yet: upload sales and inventory, then start a run.");
  const history = drawHistory(sectors).catch((e) => SW.fail(e));  // alongside the rest
  const [orders, urgent] = run ? await Promise.all([
    SW.getAll("/plan", { sector, urgency: "order now" }),
    SW.get("/plan", { sector, page_size: 10 }).then((answer) => answer.items),
  ]) : [[], []];
  const sum = (rows, f) => rows.reduce((t, r) => t + (Number(f(r)) || 0), 0);
  const alertCount = (s, sev) => (s.alerts && s.alerts[sev]) || 0;
  SW.kpis("kpis", [
    ["Products", SW.num(sum(sectors, (s) => s.n_products))],
    ["Stock value", SW.money(sum(sectors, (s) => s.stock_value))],
    ["Stock units", SW.num(sum(sectors, (s) => s.stock_units))],
    ["Critical alerts", SW.num(sum(sectors, (s) => alertCount(s, "critical")))],
    ["All alerts", SW.num(sum(sectors, (s) => SEVERITIES.reduce((t, v) => t + alertCount(s, v), 0)))],
    ["Order now (lines)", SW.num(orders.filter((o) => o.order_qty > 0).length)],
    ["Order now (value)", SW.money(sum(orders, (o) => o.order_value),
                                   { currency: SW.currencyOf(orders) })],
  ]);
  drawSectorCharts(sectors, orders);
  SW.table("sectors-table", sectors, [
    { key: "label", label: "Sector", format: (v) => SW.t(v) },
    { key: "n_products", label: "Products", num: true, format: SW.num },
    { key: "start", label: "Sales from", format: SW.date },
    { key: "end", label: "to", format: SW.date },
    { key: "total_sales", label: "Units sold", num: true, format: SW.num },
    { key: "average_daily_sales", label: "Units / day", num: true, format: (v) => SW.num(v, 1) },
    { key: "stock_units", label: "Stock units", num: true, format: SW.num },
    { key: "stock_value", label: "Stock value", num: true, format: SW.money },
    { key: "stockout_share", label: "Days out of stock", num: true, format: SW.pct },
    { key: "orders_now", label: "Order now", num: true, format: SW.num },
    { key: "alerts", label: "Alerts (crit./high/med./low)",
      format: (a) => SEVERITIES.map((s) => (a && a[s]) || 0).join(" / ") },
  ]);
  SW.table("urgent-table", urgent, [
    { key: "unique_id", label: "Product", format: SW.productLink },
    { key: "sector", label: "Sector" },
    { key: "urgency", label: "Urgency", format: SW.badge },
    { key: "order_qty", label: "Order qty", num: true, format: SW.num },
    { key: "order_date", label: "Order by", format: SW.date },
    { key: "on_order", label: "On order", num: true, format: SW.num },
    { key: "on_order_due", label: "due", format: SW.date },
    { key: "stockout_date", label: "Runs out if nothing is ordered", format: SW.date },
    { key: "stockout_probability", label: "P(stockout before an order placed today arrives)",
      num: true, format: SW.pct },
    { key: "value_at_stake", label: "Value at stake", num: true, format: SW.money },
    { key: "alert", label: "Alerts", format: SW.codes },
  ]);
  await history;
}

// A plan line's group: its sector when that is listed, else the group of the products
// stored without a sector (planned under whatever profile the run named).
function groupOf(line, sectors) {
  const listed = sectors.find((s) => s.sector === line.sector);
  const implicit = sectors.find((s) => s.label && s.label !== s.sector);
  return (listed || implicit || {}).sector;
}

function drawSectorCharts(sectors, orders) {
  const names = sectors.map((s) => SW.t(s.label || s.sector));
  SW.chart("chart-alerts", SEVERITIES.map((sev) => ({
    type: "bar", name: sev, x: names, marker: { color: SW.COLORS[sev] },
    y: sectors.map((s) => (s.alerts && s.alerts[sev]) || 0),
  })), { barmode: "stack", yaxis: { title: { text: "alerts" } } });
  SW.chart("chart-value", [
    { type: "bar", name: "stock value", x: names, y: sectors.map((s) => s.stock_value || 0),
      marker: { color: SW.PALETTE[0] }, texttemplate: "%{y:,.0f}", textposition: "outside" },
    { type: "bar", name: "to order now", x: names, marker: { color: SW.PALETTE[1] },
      y: sectors.map((s) => orders.filter((o) => groupOf(o, sectors) === s.sector)
        .reduce((t, o) => t + (Number(o.order_value) || 0), 0)),
      texttemplate: "%{y:,.0f}", textposition: "outside" },
  ], { barmode: "group", yaxis: { title: { text: "value" } } });
}

// Weekly units sold and on hand per sector: every sector's two series fetched at once.
async function drawHistory(sectors) {
  const series = await Promise.all(sectors.map((s) => {
    const path = `/sectors/${encodeURIComponent(s.sector)}`;
    return Promise.all([SW.get(`${path}/sales`, { period: "W" }),
                        SW.get(`${path}/stock`, { period: "W" })]);
  }));
  const sales = [];
  const stock = [];
  for (const [i, [sold, held]] of series.entries()) {
    const name = SW.t(sectors[i].label || sectors[i].sector);
    const line = { color: SW.PALETTE[i % SW.PALETTE.length] };
    sales.push({ type: "scatter", mode: "lines", name, line,
                 x: sold.items.map((r) => r.period), y: sold.items.map((r) => r.total) });
    stock.push({ type: "scatter", mode: "lines", name, line,
                 x: held.items.map((r) => r.period), y: held.items.map((r) => r.stock_units) });
  }
  SW.chart("chart-sales", sales, { yaxis: { title: { text: "units per week" } },
                                   hovermode: "x unified" });
  SW.chart("chart-stock", stock, { yaxis: { title: { text: "units on hand" } },
                                   hovermode: "x unified" });
}

document.getElementById("sector").addEventListener("change", () => {
  loadOverview().catch((e) => SW.fail(e));
});
SW.start(loadOverview);
