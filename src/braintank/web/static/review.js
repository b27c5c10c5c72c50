// Review page: the cells handed to this reviewer (a short claim, so people reviewing at once
// get different ones), answered by keyboard or by the pad. The page moves on at once; the
// answers are saved in order behind it (AnswerQueue), and one refused because someone else
// answered the cell meanwhile is shown with what they answered.
"use strict";
navigation("review");
const $ = (id) => document.getElementById(id);
const errorBox = $("error");
const sheets = new URLSearchParams(location.search).getAll("sheet").filter((s) => /^\d+$/.test(s));
const filter = sheets.map((s) => `sheet=${s}`).join("&");
// Asked for ahead so fast keys never wait for cells, yet few enough that a second reviewer
// arriving finds cells left to claim (a claim of 20 took a whole short queue).
const PREFETCH = 3, CLAIM = 6;
let items = [], index = 0, claiming = null, given = {left: 0, held_by_others: 0, others: []};
let answeredAtClaim = 0, model = {threshold_in_use: null, views: 1};
const skipped = new Map(), known = new Map(), answered = new Set(), buffered = [];

function key(item) { return `${item.sheet_id}:${item.row}:${item.col}`; }
function current() { return items[index]; }

const queue = new AnswerQueue(saved, refused, (n, trouble) => {
  if (trouble) $("saved").textContent = `connection lost; ${n} answers kept, retrying`;
});

function saved(entry, answer) {
  entry.item.version = answer.version;
  $("saved").textContent =
    `saved: row ${answer.row}, column ${answer.col} = ${answer.answer}`;
}

function refused(entry, error) {
  const {item, body} = entry;
  if (error.status === 409) {
    return showConflict(`${item.file}, row ${item.row}, column ${item.col}`, body,
                        error.body.current,
                        (version) => queue.push({item, body: {...body, expected: version}}));
  }
  if (error.status === 410) {  // the sheet was deleted: its cells leave this queue
    items = items.filter((x, i) => i < index || x.sheet_id !== item.sheet_id);
    render();
  }
  showError(errorBox, error);
}

function render() {
  if (!reviewerName() || naming()) return;  // nothing is shown before the name is given
  const item = current();
  $("card").hidden = !item;
  // The server's count leaves out the cells this page had answered when it asked.
  $("left").textContent = Math.max(0, given.left - (answered.size - answeredAtClaim));
  $("others").textContent = given.held_by_others ?
    ` · ${given.held_by_others} being reviewed by ${given.others.join(", ")}` : "";
  $("done").hidden = true;
  // Out of cells while more are being asked for: wait for the answer, never say "done" early.
  if (!item) return claiming ? undefined : showDone();
  $("crop").src = `/api/cells/${item.cell_id}/crop.png`;
  $("where").textContent = `${item.file}, page ${item.page}, row ${item.row}, column ${item.col}`;
  $("guesses").textContent = item.guess === null ? "?" : item.guess;
  // One confidence: the one the decision used (the weakest of the model's readings).
  $("confidence").textContent = item.guess === null ? "" :
    `confidence ${percent(item.confidence)}` + (model.views > 1 ?
      ` (the weakest of the model's ${model.views} readings)` : "") +
    (model.threshold_in_use ? `; accepted from ${percent(model.threshold_in_use)}` : "");
  const others = item.top.filter((t) => t.digit !== item.guess).map((t) => t.digit);
  $("top").textContent = others.length ? `then ${others.join(" \u00b7 ")}` : "";
  $("reason").textContent = item.reason || "";
}

function showDone() {
  $("done").hidden = false;
  $("export").href = "/api/export.csv" + (filter ? "?" + filter : "");
  const mine = skipped.size;
  $("again").hidden = !mine;
  if (given.held_by_others) {
    $("done-text").textContent = `${given.held_by_others} cells are being reviewed by ` +
      `${given.others.join(", ")}; they come back here if not answered within two minutes.`;
  } else if (mine) {
    $("done-text").textContent = `You skipped ${mine} cells; nothing else is left.`;
  } else {
    $("done-text").textContent = "Nothing left to review.";
    offerFinetune();
  }
}

async function offerFinetune() {
  try {
    const f = await api("/api/finetune");
    $("learn").hidden = !f.offer;
    $("learn").replaceChildren(`${f.new_answers} answers are new to the model in use: `,
                               Object.assign(element("a", "learn from them on the Model page"),
                                             {href: "/models"}));
  } catch (error) { /* the offer is a hint; the review itself is done */ }
}

async function claim() {
  if (claiming) return claiming;
  claiming = (async () => {
    const cell = (x) => [x.sheet_id, x.row, x.col];
    const skip = [...skipped.values()].map(cell);
    // The cells still ahead are asked for again (their hold renewed); those answered (their
    // answer perhaps still on its way) are not handed out again.
    const ahead = items.slice(index);
    const have = [...answered].map((k) => cell(known.get(k)));
    const asked = answered.size;
    const got = await postJson("/api/review/claim", {
      who: reviewerName(), count: ahead.length + CLAIM, sheet: sheets.map(Number), skip,
      have});
    given = got;
    answeredAtClaim = asked;
    const listed = new Set([...ahead.map(key), ...answered]);
    for (const item of got.items) {
      if (!listed.has(key(item))) { items.push(item); known.set(key(item), item); }
    }
  })();
  try { await claiming; } catch (error) { showError(errorBox, error); } finally {
    claiming = null;
  }
  render();
  while (buffered.length && current()) act(buffered.shift());
}

function topUp() {
  if (items.length - index < PREFETCH) claim();
}

function answer(value) {
  const item = current();
  queue.push({item, body: {sheet_id: item.sheet_id, row: item.row, col: item.col,
                           answer: value, who: reviewerName(), expected: item.version}});
  answered.add(key(item));
  index += 1;
  topUp();
  render();
}

function skip() {
  skipped.set(key(current()), current());
  index += 1;
  topUp();
  render();
}

async function undo() {
  await queue.drained();  // the last answer must be stored before it can be taken back
  try {
    const back = await postJson("/api/corrections/undo", {who: reviewerName()});
    const stays = back.in_force ? `; ${back.in_force.who}'s ${back.in_force.answer} stands` : "";
    $("saved").textContent = `undone: row ${back.row}, column ${back.col} ` +
      `(was ${back.undone})${stays}`;
    const item = known.get(`${back.sheet_id}:${back.row}:${back.col}`);
    if (item && !back.in_force) {  // back in the queue: show it again, first
      item.version = 0;
      answered.delete(key(item));
      items.splice(index, 0, item);
      render();
    }
  } catch (error) {
    showError(errorBox, error);
  }
}

function act(keyName) {
  const item = current();
  const value = answerForKey(keyName);
  if (value) answer(value);
  else if (keyName === "Enter" && item.guess !== null) answer(String(item.guess));
  else if (keyName.toLowerCase() === "s") skip();
}

document.addEventListener("keydown", (e) => {
  if (!reviewerName() || naming() || !keyIsForThePage(e)) return;
  if (isUndoKey(e)) { e.preventDefault(); undo(); return; }
  const k = e.key;
  if (!(answerForKey(k) || k === "Enter" || k.toLowerCase() === "s")) return;
  e.preventDefault();
  if (!current()) {  // typed faster than cells arrive: kept, answered once they do
    if (claiming) buffered.push(k);
    return;
  }
  act(k);
});

digitPad($("digit-pad"), [["empty", "empty", "the cell is empty (e)"],
                    ["unreadable", "unreadable", "nobody can read it (u)"],
                    ["accept", "accept", "the model's guess is right (Enter)"],
                    ["skip", "skip", "decide later (s)"], ["undo", "undo", "undo (Backspace)"]],
         (action) => {
           if (action === "undo") return undo();
           if (!current()) return;
           if (action === "skip") return skip();
           if (action === "accept") return current().guess !== null &&
             answer(String(current().guess));
           answer(action);
         });

$("again").addEventListener("click", () => { skipped.clear(); claim(); });

function askName() {
  $("me").hidden = $("card").hidden = $("done").hidden = true;
  askReviewer(start);
}

$("rename").addEventListener("click", askName);

async function start() {
  $("me").hidden = false;
  $("me-name").textContent = reviewerName();
  $("card").focus();
  await claim();
}

api("/api/model").then((m) => { model = m; render(); }).catch(() => {});
if (reviewerName()) start(); else askName();
setInterval(() => { if (!current() && reviewerName() && !naming()) claim(); },
            5000);
