// Sheet view: every cell of one sheet over the page as read, with its state; any cell (ok,
// review, empty) can be answered again by click, tap or keys, with its history shown. The
// answers go through the same queue as the review page, with the version each cell showed.
"use strict";
navigation("sheets");
const $ = (id) => document.getElementById(id);
const errorBox = $("error");
const params = new URLSearchParams(location.search);
const sheetId = /^\d+$/.test(params.get("id") || "") ? params.get("id") : null;
const CELL = 96, GAP = 6;  // the page image's geometry (sheet_view_api.py)
let sheet = null, selected = null, model = {threshold_in_use: null, views: 1};

const queue = new AnswerQueue((entry, saved, left) => {
  $("saved").textContent = `saved: ${name(entry.cell)} = ${saved.answer}`;
  if (!left) load();
}, (entry, error) => {
  $("saved").textContent = `not saved: ${name(entry.cell)} = ${entry.body.answer}`;
  if (error.status === 409) {
    showConflict(`row ${entry.cell.row}, column ${entry.cell.col}`, entry.body,
                 error.body.current, (version) => send(entry.cell, entry.body.answer, version));
  } else {
    showError(errorBox, error);
  }
  load();
});

function cellAt(row, col) {
  return sheet && sheet.cells.find((c) => c.row === row && c.col === col);
}

function name(cell) {
  const r = cell.row_label ? `${cell.row_label} (row ${cell.row})` : `row ${cell.row}`;
  const c = cell.col_label ? `${cell.col_label} (column ${cell.col})` : `column ${cell.col}`;
  return `${r}, ${c}`;
}

function drawGrid() {
  const wrap = $("wrap");
  wrap.querySelectorAll(".cell").forEach((b) => b.remove());
  const width = sheet.cols * (CELL + GAP) + GAP, height = sheet.rows * (CELL + GAP) + GAP;
  for (const cell of sheet.cells) {
    const button = element("button", null, `cell ${cell.state}`);
    button.type = "button";
    button.dataset.row = cell.row;
    button.dataset.col = cell.col;
    Object.assign(button.style, {
      left: `${100 * (GAP + (cell.col - 1) * (CELL + GAP)) / width}%`,
      top: `${100 * (GAP + (cell.row - 1) * (CELL + GAP)) / height}%`,
      width: `${100 * CELL / width}%`, height: `${100 * CELL / height}%`});
    button.title = `${name(cell)}: ${cell.state}`;
    button.appendChild(element("span", cell.state === "review" ? "?" : cell.shown));
    button.addEventListener("click", () => select(cell.row, cell.col));
    if (selected === `${cell.row}:${cell.col}`) button.classList.add("selected");
    wrap.appendChild(button);
  }
}

function select(row, col) {
  const cell = cellAt(row, col);
  if (!cell) return;
  selected = `${row}:${col}`;
  drawGrid();
  $("detail").hidden = false;
  $("crop").src = `/api/cells/${cell.cell_id}/crop.png`;
  $("where").textContent = name(cell);
  $("now").textContent = cell.state === "review" ? "?" : cell.state === "empty" ? "empty" :
    cell.state === "unreadable" ? "unreadable" : cell.shown;
  const read = cell.model === "ok" ? `read ${cell.digit}` : cell.model === "empty" ? "empty" :
    `sent to review (${cell.reason || "unsure"})` +
    (cell.guess !== null ? `, best guess ${cell.guess}` : "");
  const sure = cell.model === "empty" ? "" : `, confidence ${percent(cell.confidence)}` +
    (model.views > 1 ? ` (the weakest of ${model.views} readings)` : "");
  $("model").textContent = `The model: ${read}${sure}`;
  $("by").textContent = cell.who ? `answered by ${cell.who}, ${when(cell.at)}` : "";
  $("history").replaceChildren(...cell.history.map((h) => {
    const li = element("li", `${h.answer} by ${h.who || "?"}, ${when(h.at)}` +
      (h.undone ? " (taken back)" : ""));
    if (h.undone) li.className = "undone";
    return li;
  }));
}

function send(cell, answer, version) {
  queue.push({cell, body: {sheet_id: Number(sheetId), row: cell.row, col: cell.col, answer,
                           who: reviewerName(), expected: version}});
}

function answerSelected(answer) {
  const cell = selected && cellAt(...selected.split(":").map(Number));
  if (!cell) return;
  if (!reviewerName()) { askReviewer(() => answerSelected(answer)); return; }
  send(cell, answer, cell.version);
  // Shown at once; the saved state (version, history) replaces it when the queue is done.
  cell.state = answer === "empty" ? "empty" : answer === "unreadable" ? "unreadable" :
    "corrected";
  cell.shown = /^[0-9]$/.test(answer) ? answer : "";
  $("saved").textContent = `saving: ${name(cell)} = ${answer}`;
  select(cell.row, cell.col);
}

async function undo() {
  if (!reviewerName()) return;
  await queue.drained();
  try {
    const back = await postJson("/api/corrections/undo", {who: reviewerName()});
    $("saved").textContent = `undone: row ${back.row}, column ${back.col} (was ${back.undone})`;
    await load();
  } catch (error) {
    showError(errorBox, error);
  }
}

function move(dr, dc) {
  const [row, col] = selected ? selected.split(":").map(Number) : [1, 1];
  select(Math.min(Math.max(row + dr, 1), sheet.rows), Math.min(Math.max(col + dc, 1),
                                                                  sheet.cols));
}

const ARROWS = {ArrowUp: [-1, 0], ArrowDown: [1, 0], ArrowLeft: [0, -1], ArrowRight: [0, 1]};
document.addEventListener("keydown", (e) => {
  if (!sheet || naming() || !keyIsForThePage(e)) return;
  if (isUndoKey(e)) { e.preventDefault(); undo(); return; }
  if (ARROWS[e.key]) { e.preventDefault(); move(...ARROWS[e.key]); return; }
  const answer = answerForKey(e.key);
  if (answer) { e.preventDefault(); answerSelected(answer); }
});

digitPad($("digit-pad"), [["empty", "empty", "the cell is empty (e)"],
                    ["unreadable", "unreadable", "nobody can read it (u)"],
                    ["undo", "undo", "undo your last answer (Backspace)"]],
         (action) => action === "undo" ? undo() : answerSelected(action));

$("delete").addEventListener("click", async () => {
  if (!confirm(`Delete ${sheet.file} page ${sheet.page} from the results? Its answers stay ` +
               "in the store's log and come back if the page is read again.")) return;
  try {
    const gone = await postJson(`/api/sheets/${sheetId}/delete`,
                                {who: reviewerName() || "sheets page"});
    location.href = `/sheets?deleted=${gone.deleted}`;
  } catch (error) {
    showError(errorBox, error);
  }
});

async function load() {
  try {
    sheet = await api(`/api/sheets/${sheetId}`);
  } catch (error) {
    showError(errorBox, error);
    return;
  }
  $("title").textContent = sheet.title || `Sheet ${sheet.id}`;
  $("meta").textContent = `${sheet.file}, page ${sheet.page} (template ${sheet.layout})`;
  $("csv").href = `/api/export.csv?sheet=${sheet.id}`;
  if (!$("page").src) $("page").src = `/api/sheets/${sheet.id}/page.png`;
  drawGrid();
  if (selected) select(...selected.split(":").map(Number));
}

if (sheetId === null) showError(errorBox, "no sheet given (open a sheet from the Sheets page)");
else {
  api("/api/model").then((m) => { model = m; }).catch(() => {});
  const row = Number(params.get("row")), col = Number(params.get("col"));
  load().then(() => { if (row && col) select(row, col); });
}
