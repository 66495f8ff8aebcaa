// Upload: send a sales / inventory / batches / planned-inputs file; show the row accounting, the problems
// found and the quarantined rows exactly as the server validated them.
"use strict";

async function upload(event) {
  event.preventDefault();
  const form = event.target;
  const table = form.dataset.table;
  const file = form.querySelector("input[type=file]").files[0];
  if (!file) return;
  const button = form.querySelector("button");
  const field = (name) => {  // each form has the fields its table takes
    const input = form.querySelector(`input[name=${name}]`);
    return input ? input.value.trim() : "";
  };
  const options = new URLSearchParams();
  if (field("map")) options.set("map", field("map"));
  if (field("as_of")) options.set("as_of", field("as_of"));
  const query = options.toString();
  const path = `/uploads/${table}` + (query ? `?${query}` : "");
  const body = new FormData();
  body.append("file", file, file.name);
  button.disabled = true;
  SW.say(`Uploading ${file.name}…`);
  try {
    show(await SW.send("POST", path, body));
  } catch (error) {
    document.getElementById("result").hidden = true;
    SW.fail(error);
  } finally {
    button.disabled = false;
  }
}

function show(answer) {
  SW.say(`${answer.file}: ${SW.num(answer.rows_read)} rows read, ${SW.num(answer.accepted)} ` +
         `accepted, ${SW.num(answer.quarantined)} quarantined (${answer.table}).`);
  const result = document.getElementById("result");
  result.hidden = false;
  document.getElementById("h-result").textContent = `Result: ${answer.table} from ${answer.file}`;
  SW.kpis("accounting", [
    ["Rows read", SW.num(answer.rows_read)], ["Accepted", SW.num(answer.accepted)],
    ["Quarantined", SW.num(answer.quarantined)], ["Inserted", SW.num(answer.inserted)],
    ["Updated", SW.num(answer.updated)], ["Unchanged", SW.num(answer.unchanged)],
  ]);
  const holder = document.getElementById("quarantine");
  holder.replaceChildren();
  for (const note of answer.notes || []) {
    const p = document.createElement("p");
    p.className = "muted";
    p.textContent = note;
    holder.appendChild(p);
  }
  const issues = document.createElement("div");
  const rows = document.createElement("div");
  holder.append(issues, rows);
  SW.table(issues, answer.issues || [], [
    { key: "row", label: "Row", num: true }, { key: "column", label: "Column" },
    { key: "value", label: "Value" }, { key: "rule", label: "Rule" },
    { key: "severity", label: "Severity" }, { key: "message", label: "Problem", wrap: true },
  ], "Problems found (row numbers as in the file, header = row 1)");
  const quarantined = answer.quarantined_rows || [];
  const keys = quarantined.length ? Object.keys(quarantined[0]) : ["source_row", "reason"];
  SW.table(rows, quarantined, keys.map((k) => ({ key: k, label: k, wrap: k.startsWith("reason") })),
           "Quarantined rows, with the file's own headers");
}

for (const form of document.querySelectorAll("form.upload")) {
  form.addEventListener("submit", upload);
}
SW.start(async () => {});
