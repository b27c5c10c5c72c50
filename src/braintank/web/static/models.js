// Model page: what the model file records about itself (GET /api/model).
"use strict";
navigation("models");

function pct(v) { return v === undefined || v === null ? "not recorded" : `${(100 * v).toFixed(2)}%`; }

function row(label, value) {
  const tr = document.createElement("tr");
  const th = document.createElement("th"); th.textContent = label;
  const td = document.createElement("td"); td.textContent = value;
  tr.append(th, td);
  document.getElementById("facts").appendChild(tr);
}

function showModel(m) {
  document.getElementById("facts").replaceChildren();
  const c = m.calibration || {};
  row("File", m.name + (m.shipped ? " (shipped with braintank)" : ""));
  row("Network", `${m.model || "?"} trained on ${m.dataset || "?"} (${m.engine})`);
  row("Test accuracy", pct(m.test_accuracy));
  row("Calibration temperature", c.temperature === undefined ? "none" : c.temperature.toFixed(3));
  row("Review threshold in use", pct(m.threshold_in_use));
  row("Accuracy aimed at for accepted digits", pct(c.target_accuracy));
  row("Validation: share accepted without review", pct(c.val_coverage));
  row("Validation: accuracy of accepted digits", pct(c.val_accepted_accuracy));
}

const errorBox = document.getElementById("error");

function showRun(f) {
  document.getElementById("labeled").textContent =
    `${f.corrected_digits} corrected digits collected (finetune needs at least 50)`;
  document.getElementById("start").disabled = f.state === "running";
  const run = document.getElementById("run");
  run.textContent = f.state === "idle" ? "" : `finetune ${f.run}: ${f.state}` +
    (f.state === "running" && f.log.length ? ` — ${f.log[f.log.length - 1]}` : "") +
    (f.error ? ` — ${f.error}` : "");
  const table = document.getElementById("compare");
  table.hidden = f.state !== "done";
  document.getElementById("switch").hidden = f.state !== "done";
  if (f.state === "done") {
    const body = table.querySelector("tbody");
    body.replaceChildren();
    for (const r of f.summary.rows) {
      const tr = document.createElement("tr");
      for (const v of [r.measure, pct(r.before), pct(r.after)]) {
        const td = document.createElement("td"); td.textContent = v; tr.appendChild(td);
      }
      body.appendChild(tr);
    }
  }
}

async function follow() {
  for (;;) {
    const f = await api("/api/finetune");
    showRun(f);
    if (f.state !== "running") return;
    await new Promise((done) => setTimeout(done, 1000));
  }
}

document.getElementById("finetune").addEventListener("submit", async (event) => {
  event.preventDefault();
  showError(errorBox, null);
  try {
    await api("/api/finetune", {method: "POST", headers: {"Content-Type": "application/json"},
                                body: JSON.stringify({epochs: Number(
                                  document.getElementById("epochs").value)})});
    await follow();
  } catch (error) {
    showError(errorBox, error);
  }
});

document.getElementById("switch").addEventListener("click", async () => {
  try {
    const m = await api("/api/model/switch", {method: "POST"});
    showModel(m);
    document.getElementById("switched").textContent = `now reading with ${m.name}`;
  } catch (error) {
    showError(errorBox, error);
  }
});

api("/api/model").then(showModel).catch((error) => showError(errorBox, error));
follow().catch((error) => showError(errorBox, error));
