// Alerts: filter by sector, severity and type; export the filtered alerts as CSV.
"use strict";

const COLUMNS = [
  { key: "severity", label: "Severity", format: SW.badge },
  { key: "type", label: "Type", format: (v) => SW.t(String(v).replace("_", " ")) },
  { key: "unique_id", label: "Product", format: SW.productLink },
  { key: "sector", label: "Sector" },
  { key: "value_at_stake", label: "Value at stake", num: true, format: SW.money },
  { key: "message", label: "What and why", wrap: true },
];
const SHOWN = 500;  // alerts drawn in the table; the CSV export holds every one
let shown = [];
let total = 0;

function filters() {
  return { sector: document.getElementById("sector").value,
           severity: document.getElementById("severity").value,
           type: document.getElementById("type").value };
}

async function loadAlerts() {
  const answer = await SW.get("/alerts", Object.assign({ page_size: SHOWN }, filters()));
  shown = answer.items;
  total = answer.total;
  const value = shown.reduce((t, a) => t + (Number(a.value_at_stake) || 0), 0);
  const more = total > shown.length
    ? ` Showing the ${shown.length} most severe of ${SW.num(total)}: the CSV export has all.` : "";
  document.getElementById("alerts-summary").textContent = shown.length
    ? `${SW.num(total)} alerts from run ${shown[0].run_id}; ${SW.money(value)} at stake` +
      `${more ? " in those shown" : ""}.${more}`
    : "No alerts match these filters.";
  SW.table("alerts-table", shown, COLUMNS, "Alerts, most severe first");
}

// Text a spreadsheet would run as a formula gets a leading apostrophe, as the server's
// exports do (stockwise.cells); numbers, and text that is a plain number, stay as they are.
function csvCell(value) {
  let text = value === null || value === undefined ? "" : String(value);
  if (typeof value === "string" && /^[=+\-@\t\r]/.test(text) &&
      !/^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/.test(text)) {
    text = "'" + text;
  }
  return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

async function exportCsv() {
  const rows = total > shown.length ? await SW.getAll("/alerts", filters()) : shown;
  const keys = ["run_id", "unique_id", "sector", "type", "severity", "value_at_stake", "message"];
  const lines = [keys.join(","), ...rows.map((a) => keys.map((k) => csvCell(a[k])).join(","))];
  SW.saveBlob(new Blob([lines.join("\n") + "\n"], { type: "text/csv" }), "alerts.csv");
}

async function init() {
  const sectors = await SW.sectorGroups();
  SW.fillSelect("sector", SW.sectorChoices(sectors), "all sectors");
  for (const name of ["sector", "severity", "type"]) {
    const wanted = SW.param(name);
    if (wanted) document.getElementById(name).value = wanted;
    document.getElementById(name).addEventListener("change", () => {
      loadAlerts().catch((e) => SW.fail(e));
    });
  }
  document.getElementById("export-csv").addEventListener("click", () => {
    exportCsv().catch((e) => SW.fail(e));
  });
  await loadAlerts();
}

SW.start(init);
