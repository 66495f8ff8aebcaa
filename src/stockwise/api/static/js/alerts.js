// Alerts: filter by sector, severity and type; export what is shown as CSV.
"use strict";

const COLUMNS = [
  { key: "severity", label: "Severity", format: SW.badge },
  { key: "type", label: "Type", format: (v) => String(v).replace("_", " ") },
  { key: "product_id", label: "Product", format: SW.productLink },
  { key: "sector", label: "Sector" },
  { key: "value_at_stake", label: "Value at stake", num: true, format: SW.money },
  { key: "message", label: "What and why", wrap: true },
];
let shown = [];

function filters() {
  return { sector: document.getElementById("sector").value,
           severity: document.getElementById("severity").value,
           type: document.getElementById("type").value };
}

async function loadAlerts() {
  shown = await SW.getAll("/alerts", filters());
  const value = shown.reduce((t, a) => t + (Number(a.value_at_stake) || 0), 0);
  document.getElementById("alerts-summary").textContent = shown.length
    ? `${shown.length} alerts from run ${shown[0].run_id}; ${SW.money(value)} at stake.`
    : "No alerts match these filters.";
  SW.table("alerts-table", shown, COLUMNS, "Alerts, most severe first");
}

function csvCell(value) {
  const text = value === null || value === undefined ? "" : String(value);
  return /[",\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

function exportCsv() {
  const keys = ["run_id", "product_id", "sector", "type", "severity", "value_at_stake", "message"];
  const lines = [keys.join(","), ...shown.map((a) => keys.map((k) => csvCell(a[k])).join(","))];
  const url = URL.createObjectURL(new Blob([lines.join("\n") + "\n"], { type: "text/csv" }));
  const link = document.createElement("a");
  link.href = url;
  link.download = "alerts.csv";
  document.body.appendChild(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
}

async function init() {
  const sectors = await SW.getAll("/sectors");
  SW.fillSelect("sector", sectors.map((s) => s.sector), "all sectors");
  for (const name of ["sector", "severity", "type"]) {
    const wanted = SW.param(name);
    if (wanted) document.getElementById(name).value = wanted;
    document.getElementById(name).addEventListener("change", () => {
      loadAlerts().catch((e) => SW.fail(e));
    });
  }
  document.getElementById("export-csv").addEventListener("click", exportCsv);
  await loadAlerts();
}

SW.start(init);
