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

api("/api/model").then((m) => {
  const c = m.calibration || {};
  row("File", m.name + (m.shipped ? " (shipped with braintank)" : ""));
  row("Network", `${m.model || "?"} trained on ${m.dataset || "?"} (${m.engine})`);
  row("Test accuracy", pct(m.test_accuracy));
  row("Calibration temperature", c.temperature === undefined ? "none" : c.temperature.toFixed(3));
  row("Review threshold in use", pct(m.threshold_in_use));
  row("Accuracy aimed at for accepted digits", pct(c.target_accuracy));
  row("Validation: share accepted without review", pct(c.val_coverage));
  row("Validation: accuracy of accepted digits", pct(c.val_accepted_accuracy));
}).catch((error) => showError(document.getElementById("error"), error));
