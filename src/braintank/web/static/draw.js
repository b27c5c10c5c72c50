// Draw page: pointer events (mouse, pen and touch alike) on a white pad; while drawing,
// the pad is sent to /api/predict at most every 150 ms, and once more when the stroke ends.
"use strict";
navigation("draw");
const pad = document.getElementById("pad");
const ink = pad.getContext("2d");
const seen = document.getElementById("seen").getContext("2d");
const bars = document.getElementById("bars");
const errorBox = document.getElementById("error");
let drawing = false, last = null, inFlight = false, again = false, lastSent = 0, views = 1;
let lastResult = null;

api("/api/model").then((m) => {
  views = m.views || 1;
  if (views > 1) {
    document.getElementById("bars-note").textContent =
      `Probabilities, averaged over the model's ${views} readings`;
    showStatus(lastResult);
  }
}).catch(() => {});

for (let d = 0; d < 10; d++) {
  bars.insertAdjacentHTML("beforeend",
    `<span>${d}</span><div><div class="bar" id="bar${d}" style="width:0"></div></div>` +
    `<span id="p${d}" class="muted">0%</span>`);
}

function clearPad() {
  lastResult = null;
  ink.fillStyle = "#fff";
  ink.fillRect(0, 0, pad.width, pad.height);
  seen.clearRect(0, 0, 28, 28);
  document.getElementById("digit").textContent = "-";
  document.getElementById("status").textContent = "draw something";
  for (let d = 0; d < 10; d++) show(d, 0, false);
}

function point(event) {
  const box = pad.getBoundingClientRect();
  return [(event.clientX - box.left) * pad.width / box.width,
          (event.clientY - box.top) * pad.height / box.height];
}

function stroke(from, to) {
  ink.strokeStyle = "#000"; ink.lineWidth = 18; ink.lineCap = "round"; ink.lineJoin = "round";
  ink.beginPath(); ink.moveTo(...from); ink.lineTo(...to); ink.stroke();
}

pad.addEventListener("pointerdown", (e) => {
  drawing = true; last = point(e); stroke(last, last);
  pad.setPointerCapture(e.pointerId); e.preventDefault();
});
pad.addEventListener("pointermove", (e) => {
  if (!drawing) return;
  const now = point(e); stroke(last, now); last = now;
  if (Date.now() - lastSent > 150) predict();
});
for (const end of ["pointerup", "pointercancel"]) {
  pad.addEventListener(end, () => { if (drawing) { drawing = false; predict(); } });
}
document.getElementById("clear").addEventListener("click", clearPad);

function show(d, p, top) {
  document.getElementById("bar" + d).style.width = (100 * p).toFixed(1) + "%";
  document.getElementById("bar" + d).className = top ? "bar top" : "bar";
  document.getElementById("p" + d).textContent = (100 * p).toFixed(0) + "%";
}

function showSeen(pixels) {
  const image = seen.createImageData(28, 28);
  pixels.flat().forEach((v, i) => {
    image.data.set([v, v, v, 255], 4 * i);
  });
  seen.putImageData(image, 0, 0);
}

function showStatus(result) {
  lastResult = result;
  if (!result) return;
  const why = result.reason ? `: ${result.reason}` : "";
  // The confidence is the decision's (the weakest of the model's readings); the bars are
  // the readings' average, and say so, so the two never seem to disagree.
  document.getElementById("status").textContent = result.status === "empty" ? "nothing drawn"
    : `${(100 * result.confidence).toFixed(1)}% sure (${result.status}${why})` +
      (views > 1 ? `: the weakest of ${views} readings` : "");
}

async function predict() {
  if (inFlight) { again = true; return; }
  inFlight = true; lastSent = Date.now();
  try {
    const blob = await new Promise((done) => pad.toBlob(done, "image/png"));
    const form = new FormData();
    form.append("images", blob, "drawing.png");
    const result = (await api("/api/predict?show=true", {method: "POST", body: form}))
      .predictions[0];
    // A mark sent to review shows no digit: a guess in large type reads as an answer.
    document.getElementById("digit").textContent =
      result.status === "ok" ? result.digit : result.status === "review" ? "?" : "-";
    showStatus(result);
    result.probabilities.forEach((p, d) => show(d, p, d === result.digit));
    showSeen(result.input28);
    showError(errorBox, null);
  } catch (error) {
    showError(errorBox, error);
  } finally {
    inFlight = false;
    if (again) { again = false; predict(); }
  }
}

clearPad();
