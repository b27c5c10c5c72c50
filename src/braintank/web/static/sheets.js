// Sheets page: upload (bytes sent, then pages read, both as progress), the list of sheets
// with their counts, links to review and to the CSV of a sheet, a batch or everything.
"use strict";
navigation("sheets");
const errorBox = document.getElementById("error");
const bar = document.getElementById("progress");
const barText = document.getElementById("progress-text");

function cell(text) {
  const td = document.createElement("td");
  td.textContent = text;
  return td;
}

function link(href, text) {
  const a = document.createElement("a");
  a.href = href; a.textContent = text;
  return a;
}

async function refresh() {
  const {sheets, failed} = await api("/api/sheets");
  const body = document.getElementById("sheets");
  body.replaceChildren();
  for (const s of sheets) {
    const tr = document.createElement("tr");
    tr.dataset.sheet = s.id;
    for (const v of [s.file, s.page, s.ok, s.review, s.empty, s.corrected, s.left]) {
      tr.appendChild(cell(v));
    }
    const actions = document.createElement("td");
    actions.append(link(`/api/export.csv?sheet=${s.id}`, "CSV"), " ");
    if (s.left) actions.append(link(`/review?sheet=${s.id}`, "Review"));
    tr.appendChild(actions);
    body.appendChild(tr);
  }
  document.getElementById("failed").textContent = failed.map(
    (f) => `not read: ${f.error}`).join("\n");
}

function send(form) {
  // XMLHttpRequest, not fetch: only it reports upload progress.
  return new Promise((resolve, reject) => {
    const request = new XMLHttpRequest();
    request.open("POST", "/api/sheets");
    request.responseType = "json";
    request.upload.onprogress = (e) => {
      if (e.lengthComputable) {
        bar.value = e.loaded / e.total;
        barText.textContent = `uploading: ${Math.round(100 * e.loaded / e.total)}%`;
      }
    };
    request.onload = () => request.status === 202 ? resolve(request.response)
      : reject(new Error((request.response && request.response.error) || request.statusText));
    request.onerror = () => reject(new Error("upload failed (connection lost)"));
    request.send(form);
  });
}

const cancel = document.getElementById("cancel");
let following = null;  // the job being followed, which "Stop reading" cancels
cancel.addEventListener("click", async () => {
  if (following !== null) await api(`/api/jobs/${following}/cancel`, {method: "POST"});
});

async function follow(job) {
  following = job;
  cancel.hidden = false;
  try {
    return await poll(job);
  } finally {
    following = null;
    cancel.hidden = true;
  }
}

async function poll(job) {
  for (;;) {
    const p = await api(`/api/jobs/${job}`);
    bar.value = p.files_total ? p.files_done / p.files_total : 1;
    barText.textContent = `read ${p.files_done} of ${p.files_total} files: ` +
      `${p.pages_read} pages read, ${p.pages_skipped} already read, ` +
      `${p.failed.length} not read` + (p.current ? ` (reading ${p.current})` : "");
    if (["done", "failed", "cancelled"].includes(p.state)) return p;
    await new Promise((done) => setTimeout(done, 400));
  }
}

document.getElementById("upload").addEventListener("submit", async (event) => {
  event.preventDefault();
  const files = document.getElementById("files").files;
  if (!files.length) { showError(errorBox, "choose one or more files first"); return; }
  const form = new FormData();
  for (const f of files) form.append("files", f, f.name);
  const button = document.getElementById("send");
  button.disabled = true;
  showError(errorBox, null);
  document.getElementById("progress-box").hidden = false;
  document.getElementById("batch-links").replaceChildren();
  try {
    const {job} = await send(form);
    const done = await follow(job);
    if (done.error) showError(errorBox, done.error);
    if (done.failed.length) showError(errorBox, done.failed.join("\n"));
    if (done.sheet_ids.length) {
      const ids = done.sheet_ids.map((id) => `sheet=${id}`).join("&");
      const links = document.getElementById("batch-links");
      links.append(link(`/review?${ids}`, "Review this batch"), " \u00b7 ",
                   link(`/api/export.csv?${ids}`, "Download this batch (CSV)"));
    }
    await refresh();
  } catch (error) {
    showError(errorBox, error);
  } finally {
    button.disabled = false;
  }
});

refresh().catch((error) => showError(errorBox, error));
