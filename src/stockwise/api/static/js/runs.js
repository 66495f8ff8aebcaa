// Runs: start a plan run (write key), follow every run's status and progress, cancel one.
"use strict";

const POLL_MS = 1500;
const ACTIVE = ["queued", "running", "cancelling"];
const FINAL = ["succeeded", "failed", "cancelled"];
let timer = null;
let started = null;  // the run this page started, to say how it ended

function progressCell(value, run) {
  if (!ACTIVE.includes(run.status)) return SW.pct(value);
  const bar = document.createElement("progress");
  bar.max = 1;
  bar.value = Number(value) || 0;
  bar.textContent = SW.pct(value);
  bar.setAttribute("aria-label", `run ${run.id} progress`);
  return bar;
}

function summaryCell(summary) {
  if (!summary) return "—";
  return `${SW.num(summary.products)} products, ${SW.num(summary.plan_lines)} plan lines, ` +
         `${SW.num(summary.alerts)} alerts, ${SW.num(summary.orders_now)} to order now` +
         moneyText(summary.money);
}

// "; order bill 12,345 EUR; budget 10,000 EUR: …" from the run's money summary.
function moneyText(money) {
  if (!money) return "";
  const bills = (money.totals || []).map((t) => SW.money(t.order_value, t));
  const bill = bills.length ? `; order bill ${bills.join(" + ")}` : "";
  return bill + (money.budget ? `; ${money.budget.summary}` : "");
}

// The settings behind a plan run's bill: each sector's profile, the models in a buyer's
// words (each model's own name in its tooltip), calibration; what a fast or uncalibrated
// choice gives up in the cell's tooltip.
function settingsCell(summary) {
  const settings = summary && summary.settings;
  if (!settings) return "—";
  const run = settings.run;
  const profiles = settings.sectors.map((s) =>
    `${s.sector}: ${s.profile ? SW.t("profile {name}", { name: s.profile })
                              : SW.t("generic defaults")}`);
  const span = document.createElement("span");
  span.append(`${profiles.join("; ")}; ${SW.t("models")} `);
  if (run.models === "auto") {
    span.append(SW.t("chosen per product by backtest ({quality})", { quality: run.quality }));
  } else {
    run.models.forEach((name, i) => {
      const words = document.createElement("abbr");
      words.className = "model";
      words.textContent = SW.modelWords(name);
      words.title = SW.t("Model: {name}", { name });
      span.append(...(i ? [", ", words] : [words]));
    });
  }
  span.append(`; ${SW.t(run.calibrate_service ? "service calibration on"
                                              : "service calibration off")}`);
  span.title = settings.gives_up.map((g) => `${g.setting} ${g.choice}: ${g.gives_up}`)
    .join("\n");
  return span;
}

// The status, and for a queued or running run a Cancel button beside it: the run stops
// at its next step, storing nothing.
function statusCell(status, run) {
  const cell = document.createElement("span");
  cell.className = "run-status";
  cell.append(SW.badge(status));
  if (status === "queued" || status === "running") cell.append(" ", cancelButton(run));
  return cell;
}

function cancelButton(run) {
  const button = document.createElement("button");
  button.type = "button";
  button.className = "cancel-run";
  button.textContent = "Cancel";
  button.setAttribute("aria-label", `cancel run ${run.id}`);
  button.addEventListener("click", () => cancelRun(run.id, button));
  return button;
}

async function cancelRun(id, button) {
  button.disabled = true;
  try {
    const run = await SW.send("POST", `/runs/${id}/cancel`);
    SW.say(run.status === "cancelled" ? `Run ${id} cancelled before it started.`
                                      : `Run ${id} is stopping at its next step.`,
           "info", "start-messages");
    await loadRuns();
  } catch (error) {
    SW.fail(error, "start-messages");
    button.disabled = false;
  }
}

function resultLinks(_, run) {
  if (run.status !== "succeeded" || run.kind !== "plan") return "—";
  const span = document.createElement("span");
  for (const [href, text] of [["/", "overview"], ["/orders", "orders"], ["/alerts", "alerts"]]) {
    const a = document.createElement("a");
    a.href = href;
    a.textContent = text;
    span.append(a, " ");
  }
  return span;
}

async function loadRuns() {
  const runs = (await SW.get("/runs", { page_size: 50 })).items;
  SW.table("runs-table", runs, [
    { key: "id", label: "Run" },
    { key: "kind", label: "Kind" },
    { key: "status", label: "Status", format: statusCell },
    { key: "progress", label: "Progress", format: progressCell },
    { key: "message", label: "Message", wrap: true },
    { key: "created_at", label: "Created (UTC)", format: SW.when },
    { key: "finished_at", label: "Finished (UTC)", format: SW.when },
    { key: "summary", label: "Result", format: summaryCell, wrap: true },
    { key: "summary", label: "Settings", format: settingsCell, wrap: true },
    { key: "links", label: "See", format: resultLinks },
  ], "Runs, newest first");
  const mine = runs.find((r) => r.id === started);
  if (mine && FINAL.includes(mine.status)) {
    const said = { succeeded: `Run ${mine.id} succeeded: ${summaryCell(mine.summary)}.`,
                   failed: `Run ${mine.id} failed: ${mine.message}`,
                   cancelled: `Run ${mine.id} ${mine.message}.` };
    SW.say(said[mine.status], mine.status === "failed" ? "error" : "info", "start-messages");
    started = null;
  }
  const active = runs.some((r) => ACTIVE.includes(r.status));
  clearTimeout(timer);
  if (active) timer = setTimeout(() => loadRuns().catch((e) => SW.fail(e)), POLL_MS);
}

async function startRun(event) {
  event.preventDefault();
  const button = document.getElementById("start-run");
  const sector = document.getElementById("run-sector").value || null;
  const models = document.getElementById("run-models").value;
  const drivers = document.getElementById("run-drivers").value.split(",")
    .map((d) => d.trim()).filter((d) => d);
  const currency = document.getElementById("run-currency").value.trim() || null;
  const budgetText = document.getElementById("run-budget").value.trim();
  const budget = budgetText ? Number(budgetText) : null;
  button.disabled = true;
  try {
    const run = await SW.send("POST", "/runs", {
      kind: "plan", sector, models: models === "auto" ? "auto" : [models], drivers,
      currency, budget });
    started = run.id;
    SW.say(`Run ${run.id} started (${run.status}).`, "info", "start-messages");
    await loadRuns();
  } catch (error) {
    SW.fail(error, "start-messages");
  } finally {
    button.disabled = false;
  }
}

async function init() {
  document.getElementById("start-form").addEventListener("submit", startRun);
  const sectors = await SW.getAll("/sectors");
  if (sectors.length) {
    SW.fillSelect("run-sector", sectors.map((s) => s.sector), "all sectors");
  } else {  // sales without a sector: the run names the profile to plan them under
    const profiles = (await SW.get("/profiles")).items;
    document.getElementById("run-sector-label").textContent = "Profile";
    document.getElementById("profile-hint").hidden = false;
    SW.fillSelect("run-sector", profiles.map((p) => p.name), "generic defaults (no profile)");
    for (const option of document.getElementById("run-sector").options) {
      const p = profiles.find((x) => x.name === option.value);
      if (p) option.textContent = `${p.name}: service ${SW.pct(p.service_level)}, review ` +
        `${p.review_period_days} d, lead ${p.lead_time_days.min}–${p.lead_time_days.max} d`;
    }
  }
  await loadRuns();
}

SW.start(init);
