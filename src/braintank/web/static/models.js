// Model page: what the model file records about itself (GET /api/model); learning from
// the corrections when enough are new to it, its verdict, a switch to it and back.
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

let inUse = null;  // the model file the server reads with

function showModel(m) {
  inUse = m.path;
  document.getElementById("facts").replaceChildren();
  const c = m.calibration || {};
  row("File", m.name + (m.shipped ? " (shipped with braintank)" : ""));
  row("Network", `${m.model || "?"} trained on ${m.dataset || "?"} (${m.engine})`);
  row("Test accuracy", pct(m.test_accuracy));
  row("Calibration temperature", c.temperature === undefined ? "none" : c.temperature.toFixed(3));
  row("Review threshold in use", pct(m.threshold_in_use));
  row("Readings per digit", m.views > 1 ? `${m.views} (a digit is accepted when the ` +
      "weakest of them reaches the threshold; that is the confidence every page shows)" : "1");
  row("Accuracy aimed at for accepted digits", pct(c.target_accuracy));
  row("Validation: share accepted without review", pct(c.val_coverage));
  row("Validation: accuracy of accepted digits", pct(c.val_accepted_accuracy));
  row("Last learned from corrections", m.learned_at ? when(m.learned_at) : "never");
  const back = document.getElementById("back");
  back.hidden = !m.previous;
  back.textContent = `Switch back to ${m.previous}`;
}

const errorBox = document.getElementById("error");

function gain(before, after) {
  if (before === null || after === null || before === undefined || after === undefined) return "";
  const points = 100 * (after - before);
  return `${points >= 0 ? "+" : ""}${points.toFixed(2)} points`;
}

function showRun(f) {
  document.getElementById("labeled").textContent =
    `${f.corrected_digits} corrected digits collected, ${f.new_answers} of them new to the ` +
    `model in use (a finetune is offered from ${f.needed} new ones)`;
  const offer = document.getElementById("offer");
  offer.hidden = !f.offer;
  offer.textContent = f.offer ? `${f.new_answers} answers given since the model in use ` +
    "learned: a finetune may now read these writers better." : "";
  document.getElementById("start").disabled = f.state === "running";
  const run = document.getElementById("run");
  run.textContent = f.state === "idle" ? "" : `finetune ${f.run}: ${f.state}` +
    (f.state === "running" && f.log.length ? ` — ${f.log[f.log.length - 1]}` : "") +
    (f.error ? ` — ${f.error}` : "");
  const done = f.state === "done";
  for (const id of ["compare", "heldout", "verdict"]) document.getElementById(id).hidden = !done;
  document.getElementById("switch").hidden = !(done && f.summary.verdict.better &&
                                                f.model !== inUse);
  if (!done) return;
  const s = f.summary;
  document.getElementById("heldout").textContent = `Measured on ${s.heldout} held-out ` +
    `corrections (trained on ${s.trained_on}, ${s.epochs} epochs) and on MNIST test.`;
  const body = document.getElementById("compare").querySelector("tbody");
  body.replaceChildren();
  for (const r of s.rows) {
    const tr = document.createElement("tr");
    for (const v of [r.measure, pct(r.before), pct(r.after), gain(r.before, r.after)]) {
      tr.appendChild(element("td", v));
    }
    body.appendChild(tr);
  }
  // The verdict is the run's own (summary.json), not worked out again here.
  document.getElementById("verdict").textContent = s.verdict.better ?
    `Better than the model in use: ${s.verdict.why}` :
    `Not better than the model in use (${s.verdict.why}): keep reading with it.`;
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
    await postJson("/api/finetune", {epochs: Number(document.getElementById("epochs").value)});
    await follow();
  } catch (error) {
    showError(errorBox, error);
  }
});

async function switchTo(path, said) {
  try {
    const m = await api(path, {method: "POST"});
    showModel(m);
    document.getElementById("switched").textContent = `${said} ${m.name}`;
    await follow();
  } catch (error) {
    showError(errorBox, error);
  }
}

document.getElementById("switch").addEventListener(
  "click", () => switchTo("/api/model/switch", "now reading with"));
document.getElementById("back").addEventListener(
  "click", () => switchTo("/api/model/switch-back", "back to reading with"));

api("/api/model").then(showModel).catch((error) => showError(errorBox, error));
follow().catch((error) => showError(errorBox, error));
