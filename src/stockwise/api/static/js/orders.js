// Order list: the plan lines with sector and urgency filters; exports use the same filters.
"use strict";

// The table keeps what a buyer scans; the exports and the product page have every column.
const COLUMNS = [
  { key: "unique_id", label: "Product", format: SW.productLink },
  { key: "sector", label: "Sector" },
  { key: "supplier", label: "Supplier" },
  { key: "urgency", label: "Urgency", format: SW.badge },
  { key: "order_date", label: "Order by", format: SW.date },
  { key: "order_qty", label: "Order qty", num: true, format: SW.num },
  { key: "order_value", label: "Order value", num: true, format: SW.money },
  { key: "stockout_date", label: "Runs out if nothing is ordered", format: SW.date },
  { key: "stockout_probability", label: "P(stockout before an order placed today arrives)",
    num: true, format: SW.pct },
  { key: "value_at_stake", label: "Value at stake", num: true, format: SW.money },
  { key: "expected_lost_value", label: "Lost sales (value)", num: true, format: SW.money },
  { key: "lost_value_avoided", label: "Order saves (value)", num: true, format: SW.money },
  { key: "days_of_cover", label: "Days of cover", num: true, format: (v) => SW.num(v, 1) },
  { key: "on_hand", label: "On hand", num: true, format: SW.num },
  { key: "on_order", label: "On order", num: true, format: SW.num },
  { key: "on_order_due", label: "On order due", format: SW.date },
  { key: "reorder_point", label: "Reorder point", num: true, format: (v) => SW.num(v, 1) },
  { key: "alert", label: "Alerts", format: SW.codes },
  { key: "reason", label: "Why", wrap: true, format: folded },
];

// The reason is long (policy, levels, rounding): folded, so the table fits a screen.
function folded(text) {
  if (!text) return "—";
  const details = document.createElement("details");
  const summary = document.createElement("summary");
  summary.textContent = String(text).split(":")[0];
  details.append(summary, String(text));
  return details;
}

function filters() {
  return { sector: document.getElementById("sector").value,
           urgency: document.getElementById("urgency").value };
}

async function loadSectors() {
  const sectors = await SW.sectorGroups();
  SW.fillSelect("sector", SW.sectorChoices(sectors), "all sectors");
  const wanted = SW.param("sector");
  if (wanted) document.getElementById("sector").value = wanted;
  const urgency = SW.param("urgency");
  if (urgency) document.getElementById("urgency").value = urgency;
}

const SHOWN = 500;  // lines drawn in the table; the exports hold every line

async function loadOrders() {
  const answer = await SW.get("/plan", Object.assign({ page_size: SHOWN }, filters()));
  const lines = answer.items;
  const ordered = lines.filter((l) => l.order_qty > 0);
  const value = ordered.reduce((t, l) => t + (Number(l.order_value) || 0), 0);
  const currency = SW.currencyOf(lines);
  const more = answer.total > lines.length
    ? ` Showing the ${lines.length} most urgent of ${SW.num(answer.total)} lines: export for all.` : "";
  document.getElementById("orders-summary").textContent = lines.length
    ? `${SW.num(answer.total)} lines from run ${lines[0].run_id}; ${ordered.length} ` +
      `${more ? "shown " : ""}with an order worth ${SW.money(value, { currency })} in total` +
      `${bySupplier(ordered, currency)}.${more}`
    : "No plan lines match these filters.";
  SW.table("orders-table", lines, COLUMNS, "Plan lines, worst first");
}

// "; by supplier: Nord 1,200 EUR, Sud 300 EUR" when the lines name suppliers (few of them).
function bySupplier(ordered, currency) {
  const totals = new Map();
  for (const line of ordered) {
    if (!line.supplier) continue;
    totals.set(line.supplier, (totals.get(line.supplier) || 0) + (Number(line.order_value) || 0));
  }
  if (!totals.size || totals.size > 8) return "";
  const parts = [...totals].sort((a, b) => b[1] - a[1])
    .map(([name, v]) => `${name} ${SW.money(v, { currency })}`);
  return `; by supplier: ${parts.join(", ")}`;
}

function reload() { loadOrders().catch((e) => SW.fail(e)); }

async function exportAs(format) {
  SW.say(SW.t("Preparing the {format} file…", { format: format.toUpperCase() }));
  await SW.download("/plan/export", Object.assign({ format }, filters()), `orders.${format}`);
  SW.say(SW.t("The {format} file has been downloaded.", { format: format.toUpperCase() }));
}

document.getElementById("sector").addEventListener("change", reload);
document.getElementById("urgency").addEventListener("change", reload);
for (const format of ["csv", "xlsx"]) {
  document.getElementById(`export-${format}`).addEventListener("click", () => {
    exportAs(format).catch((e) => SW.fail(e));
  });
}
SW.start(async () => { await loadSectors(); await loadOrders(); });
