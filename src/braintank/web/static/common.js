// Shared by the pages: the navigation bar, JSON calls that turn errors into messages, the
// reviewer's name (kept per browser), the digit pad, and the queue that saves answers.
"use strict";
const PAGES = [["draw", "Draw"], ["sheets", "Sheets"], ["review", "Review"],
               ["results", "Results"], ["templates", "Templates"], ["models", "Model"]];

function navigation(here) {
  const nav = document.createElement("nav");
  for (const [path, label] of PAGES) {
    const a = document.createElement("a");
    a.href = "/" + path; a.textContent = label;
    if (path === here) a.className = "here";
    nav.appendChild(a);
  }
  document.body.prepend(nav);
}

class ApiError extends Error {
  constructor(message, status, body) { super(message); this.status = status; this.body = body; }
}

async function api(path, options) {
  const response = await fetch(path, options);
  const type = response.headers.get("content-type") || "";
  const body = type.includes("json") ? await response.json() : await response.text();
  if (!response.ok) {
    throw new ApiError((body && body.error) || `${response.status} ${path}`, response.status,
                       body);
  }
  return body;
}

function postJson(path, data) {
  return api(path, {method: "POST", headers: {"Content-Type": "application/json"},
                    body: JSON.stringify(data)});
}

function showError(element, error) {
  element.textContent = error ? String(error.message || error) : "";
}

function element(tag, text, className) {
  const made = document.createElement(tag);
  if (text !== undefined && text !== null) made.textContent = text;
  if (className) made.className = className;
  return made;
}

// The reviewer's name: asked once, kept in this browser, sent with every answer.
const REVIEWER_KEY = "braintank.reviewer";
function reviewerName() { return (localStorage.getItem(REVIEWER_KEY) || "").trim(); }
function setReviewerName(name) { localStorage.setItem(REVIEWER_KEY, name.trim()); }

// Ask the name once (a form at the top of the page); onNamed() once it is given.
function askReviewer(onNamed) {
  let panel = document.getElementById("who-panel");
  if (!panel) {
    panel = element("div", null, "panel");
    panel.id = "who-panel";
    panel.innerHTML = '<form class="row"><label>Your name (kept with every answer, ' +
      'remembered in this browser): <input id="who" autocomplete="name" maxlength="80" ' +
      'required></label><button id="start" type="submit">Start</button></form>';
    document.querySelector("h1").after(panel);
  }
  const form = panel.querySelector("form"), box = panel.querySelector("#who");
  panel.hidden = false;
  box.value = reviewerName();
  box.focus();
  form.onsubmit = (event) => {
    event.preventDefault();
    if (!box.value.trim()) return;
    setReviewerName(box.value);
    panel.hidden = true;
    onNamed();
  };
}

function naming() {
  const panel = document.getElementById("who-panel");
  return Boolean(panel && !panel.hidden);
}

// An answer refused because the cell changed meanwhile: what the other person answered,
// with a choice to keep theirs or send this one again (resend(version)).
function showConflict(where, body, theirs, resend) {
  document.getElementById("conflicts").hidden = false;
  const li = element("li", `${where}: ` + (theirs ? `${theirs.who || "someone"} answered ` +
    `${theirs.answer}` : "the answer was taken back") +
    ` after this page showed it; you answered ${body.answer}. `);
  const keep = element("button", theirs ? `Keep ${theirs.answer}` : "Leave it");
  const mine = element("button", `Use my ${body.answer}`);
  keep.type = mine.type = "button";
  keep.addEventListener("click", () => li.remove());
  mine.addEventListener("click", () => { resend(theirs ? theirs.version : 0); li.remove(); });
  li.append(keep, " ", mine);
  document.getElementById("conflict-list").appendChild(li);
}

// Keys typed into a form field are the field's; Enter or Space on a link or button is that
// link's or button's (a browser follows or presses it): neither is an answer.
function keyIsForThePage(event) {
  const target = event.target;
  if (target.closest && target.closest("input, textarea, select, [contenteditable]")) {
    return false;
  }
  if ((event.key === "Enter" || event.key === " ") && target.closest &&
      target.closest("a, button")) return false;
  return !(event.ctrlKey || event.metaKey || event.altKey) || isUndoKey(event);
}

function isUndoKey(event) {
  return event.key === "Backspace" || ((event.ctrlKey || event.metaKey) &&
                                       event.key.toLowerCase() === "z");
}

// The answer a key means: "0"-"9", "empty", "unreadable", or null.
function answerForKey(key) {
  const k = key.toLowerCase();
  if (/^[0-9]$/.test(k)) return k;
  if (k === "e") return "empty";
  if (k === "u") return "unreadable";
  return null;
}

// A pad of large buttons for touch screens: digits, then the `extra` actions
// ([label, action, title] each); onPress(action) is called with the digit or the action.
function digitPad(container, extra, onPress) {
  container.replaceChildren();
  container.classList.add("pad");
  const buttons = [...["1", "2", "3", "4", "5", "6", "7", "8", "9", "0"].map(
    (d) => [d, d, `the digit ${d}`]), ...extra];
  for (const [label, action, title] of buttons) {
    const button = element("button", label);
    button.type = "button";
    button.dataset.action = action;
    button.title = title;
    if (!/^[0-9]$/.test(action)) button.className = "wide";
    button.addEventListener("click", (e) => {
      e.preventDefault();
      onPress(action);
      button.blur();  // the keyboard goes on answering, not pressing this button again
    });
    container.appendChild(button);
  }
}

// Answers are saved one after another in the order given, never dropped: the page moves on
// at once while they travel. Each answer's round trip is kept (window.answerRoundTrips) to
// measure review speed. A refusal (409: the cell changed; 410: the sheet was deleted) goes
// to onRefused; a lost connection is retried.
class AnswerQueue {
  constructor(onSaved, onRefused, onState) {
    this.waiting = [];
    this.busy = false;
    this.onSaved = onSaved;
    this.onRefused = onRefused;
    this.onState = onState || (() => {});
    window.answerRoundTrips = window.answerRoundTrips || [];
  }

  push(entry) {
    this.waiting.push(entry);
    this.onState(this.waiting.length + (this.busy ? 1 : 0));
    this.run();
  }

  get pending() { return this.waiting.length + (this.busy ? 1 : 0); }

  async drained() {
    while (this.pending) await new Promise((done) => setTimeout(done, 20));
  }

  async run() {
    if (this.busy) return;
    this.busy = true;
    while (this.waiting.length) {
      const entry = this.waiting[0];
      const started = performance.now();
      try {
        const saved = await postJson("/api/corrections", entry.body);
        window.answerRoundTrips.push(performance.now() - started);
        this.waiting.shift();
        this.onSaved(entry, saved, this.waiting.length);
      } catch (error) {
        if (error instanceof ApiError) {
          this.waiting.shift();
          this.onRefused(entry, error);
        } else {  // the connection: try again shortly, keeping the order
          this.onState(this.pending, error);
          await new Promise((done) => setTimeout(done, 1000));
        }
      }
      this.onState(this.waiting.length);
    }
    this.busy = false;
    this.onState(0);
  }
}

function percent(p, digits = 1) { return `${(100 * p).toFixed(digits)}%`; }

function when(seconds) {
  return seconds ? new Date(seconds * 1000).toLocaleString() : "";
}
