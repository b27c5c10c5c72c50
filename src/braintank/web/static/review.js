// Review page: one flagged cell at a time, answered from the keyboard alone. Each answer is
// stored at once (POST /api/corrections) before the next cell is shown.
"use strict";
navigation("review");
const errorBox = document.getElementById("error");
const whoBox = document.getElementById("who");
const sheets = new URLSearchParams(location.search).getAll("sheet").filter((s) => /^\d+$/.test(s));
const filter = sheets.map((s) => `sheet=${s}`).join("&");
let items = [], index = 0, saving = false;

whoBox.value = localStorage.getItem("braintank.reviewer") || "";
whoBox.addEventListener("keydown", (e) => {
  if (e.key === "Enter" && whoBox.value.trim()) {
    localStorage.setItem("braintank.reviewer", whoBox.value.trim());
    whoBox.blur();
    e.preventDefault();
    e.stopPropagation();  // this Enter ends the name; it must not also accept a guess
  }
});

function percent(p) { return `${(100 * p).toFixed(0)}%`; }

function render() {
  const item = items[index];
  document.getElementById("card").hidden = !item;
  document.getElementById("done").hidden = Boolean(item);
  document.getElementById("export").href = "/api/export.csv" + (filter ? "?" + filter : "");
  if (!item) return;
  document.getElementById("crop").src = `/api/cells/${item.cell_id}/crop.png`;
  document.getElementById("where").textContent =
    `${item.file}, page ${item.page}, row ${item.row}, column ${item.col}`;
  document.getElementById("guesses").textContent = item.guess === null ? "?" : item.guess;
  document.getElementById("top").textContent =
    item.top.map((t) => `${t.digit}: ${percent(t.probability)}`).join(" \u00b7 ");
  document.getElementById("reason").textContent = item.reason || "";
  document.getElementById("left").textContent = items.length - index;
}

async function load() {
  items = (await api("/api/review" + (filter ? "?" + filter : ""))).items;
  index = 0;
  render();
  if (!whoBox.value.trim()) whoBox.focus();
}

async function answer(value) {
  const item = items[index];
  const who = whoBox.value.trim();
  if (!who) { showError(errorBox, "type your name first (then Enter)"); whoBox.focus(); return; }
  localStorage.setItem("braintank.reviewer", who);
  saving = true;
  try {
    await api("/api/corrections", {
      method: "POST", headers: {"Content-Type": "application/json"},
      body: JSON.stringify({sheet_id: item.sheet_id, row: item.row, col: item.col,
                            answer: value, who})});
    document.getElementById("saved").textContent =
      `saved: row ${item.row}, column ${item.col} = ${value}`;
    showError(errorBox, null);
    index += 1;
    render();
  } catch (error) {
    showError(errorBox, error);
  } finally {
    saving = false;
  }
}

document.addEventListener("keydown", (e) => {
  if (document.activeElement === whoBox || saving || !items[index]) return;
  if (e.ctrlKey || e.metaKey || e.altKey) return;
  const key = e.key.toLowerCase();
  if (/^[0-9]$/.test(key)) answer(key);
  else if (key === "e") answer("empty");
  else if (key === "u") answer("unreadable");
  else if (key === "enter" && items[index].guess !== null) answer(String(items[index].guess));
  else if (key === "s") { index += 1; render(); }
  else return;
  e.preventDefault();
});

load().catch((error) => showError(errorBox, error));
