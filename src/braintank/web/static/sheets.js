// Sheets page: upload (sent in parts under the server's limit, each file accepted or refused
// on its own), progress page by page while they are read, the list of sheets with their
// counts and links to view, review, download or delete each.
"use strict";
navigation("sheets");
const errorBox = document.getElementById("error");
const bar = document.getElementById("progress");
const barText = document.getElementById("progress-text");
const PART_FILES = 50;         // files per request, well under the server's 200
const PART_OVERHEAD = 1000;    // bytes of multipart headers counted per file

function cell(text, className) {
  const td = element("td", text);
  if (className) td.className = className;
  return td;
}

function link(href, text) {
  const a = element("a", text);
  a.href = href;
  return a;
}

async function refresh() {
  const {sheets, failed, same_pages} = await api("/api/sheets");
  const body = document.getElementById("sheets");
  body.replaceChildren();
  for (const s of sheets) {
    const tr = document.createElement("tr");
    tr.dataset.sheet = s.id;
    tr.append(cell(s.file, "file"), cell(s.page), cell(s.ok), cell(s.review, "narrow-hide"),
              cell(s.empty, "narrow-hide"), cell(s.corrected, "narrow-hide"), cell(s.left));
    const actions = document.createElement("td");
    actions.append(link(`/sheet?id=${s.id}`, "View"), " ",
                   link(`/api/export.csv?sheet=${s.id}`, "CSV"));
    if (s.left) actions.append(" ", link(`/review?sheet=${s.id}`, "Review"));
    tr.appendChild(actions);
    body.appendChild(tr);
  }
  document.getElementById("failed").textContent = failed.map(
    (f) => `not read: ${f.error}`).join("\n");
  document.getElementById("same").textContent = same_pages.map(
    (d) => `not read again: ${d.file} page ${d.page} is ${d.same_as}`).join("\n");
}

// Files in parts that each fit one request; a file alone over the limit is refused here.
function split(files, limits) {
  const budget = limits.max_upload_bytes * 0.95, most = Math.min(limits.max_files, PART_FILES);
  const parts = [], refused = [];
  let part = [], size = 0;
  for (const f of files) {
    const cost = f.size + PART_OVERHEAD;
    if (cost > budget) {
      refused.push(`${f.name}: ${(f.size / 1e6).toFixed(1)} MB, over the server's ` +
                   `${(limits.max_upload_bytes / 1e6).toFixed(0)} MB per upload (split it)`);
      continue;
    }
    if (part.length && (size + cost > budget || part.length >= most)) {
      parts.push(part);
      part = []; size = 0;
    }
    part.push(f); size += cost;
  }
  if (part.length) parts.push(part);
  return {parts, refused};
}

function send(files, sentBefore, totalBytes) {
  // XMLHttpRequest, not fetch: only it reports upload progress.
  const form = new FormData();
  for (const f of files) form.append("files", f, f.name);
  return new Promise((resolve, reject) => {
    const request = new XMLHttpRequest();
    request.open("POST", "/api/sheets");
    request.responseType = "json";
    request.upload.onprogress = (e) => {
      if (!e.lengthComputable) return;
      const share = (sentBefore + e.loaded) / totalBytes;
      bar.value = Math.min(1, share);
      barText.textContent = `uploading: ${Math.round(100 * Math.min(1, share))}%`;
    };
    request.onload = () => (request.status === 202 ? resolve(request.response)
      : reject(new Error((request.response && request.response.error) || request.statusText)));
    request.onerror = () => reject(new Error("upload failed (connection lost)"));
    request.send(form);
  });
}

const cancel = document.getElementById("cancel");
let following = [];  // the jobs being followed, which "Stop reading" cancels
cancel.addEventListener("click", async () => {
  for (const job of following) await api(`/api/jobs/${job}/cancel`, {method: "POST"});
});

async function follow(jobs) {
  following = jobs;
  cancel.hidden = !jobs.length;
  try {
    for (;;) {
      const all = await Promise.all(jobs.map((job) => api(`/api/jobs/${job}`)));
      const sum = (field) => all.reduce((n, p) => n + p[field], 0);
      const failed = all.flatMap((p) => p.failed);
      const total = sum("pages_total"), done = sum("pages_read") + sum("pages_skipped");
      bar.value = total ? Math.min(1, (done + failed.length) / total) : 0;
      const current = all.map((p) => p.current).find(Boolean);
      barText.textContent = `page ${Math.min(done + failed.length, total)} of ${total}: ` +
        `${sum("pages_read")} pages read, ${sum("pages_skipped")} already read, ` +
        `${failed.length} not read` + (current ? ` (reading ${current})` : "");
      if (all.every((p) => ["done", "failed", "cancelled"].includes(p.state))) {
        return {failed, errors: all.map((p) => p.error).filter(Boolean),
                sheet_ids: all.flatMap((p) => p.sheet_ids)};
      }
      await new Promise((wait) => setTimeout(wait, 400));
    }
  } finally {
    following = [];
    cancel.hidden = true;
  }
}

document.getElementById("upload").addEventListener("submit", async (event) => {
  event.preventDefault();
  const files = [...document.getElementById("files").files];
  if (!files.length) { showError(errorBox, "choose one or more files first"); return; }
  const button = document.getElementById("send");
  button.disabled = true;
  showError(errorBox, null);
  const refusedBox = document.getElementById("refused");
  document.getElementById("progress-box").hidden = false;
  document.getElementById("batch-links").replaceChildren();
  try {
    const {parts, refused} = split(files, await api("/api/limits"));
    const totalBytes = parts.flat().reduce((n, f) => n + f.size, 0) || 1;
    const jobs = [];
    let sent = 0;
    refusedBox.textContent = refused.map((r) => `not sent: ${r}`).join("\n");
    for (const part of parts) {
      try {
        const answer = await send(part, sent, totalBytes);
        if (answer.job !== null) jobs.push(answer.job);
        refused.push(...answer.refused.map((r) => r.error));
      } catch (error) {  // this part's files, named; the other parts go on
        refused.push(error.message);
      }
      sent += part.reduce((n, f) => n + f.size, 0);
      refusedBox.textContent = refused.map((r) => `not read: ${r}`).join("\n");
    }
    const done = await follow(jobs);
    showError(errorBox, [...done.errors, ...done.failed].join("\n") || null);
    if (done.sheet_ids.length) {
      const ids = [...new Set(done.sheet_ids)].map((id) => `sheet=${id}`).join("&");
      const links = document.getElementById("batch-links");
      links.append(link(`/review?${ids}`, "Review this batch"), " \u00b7 ",
                   link(`/api/export.csv?${ids}`, "Download this batch (CSV)"), " \u00b7 ",
                   link(`/results?${ids}`, "Results of this batch"));
    }
    await refresh();
  } catch (error) {
    showError(errorBox, error);
  } finally {
    button.disabled = false;
  }
});

const deleted = new URLSearchParams(location.search).get("deleted");
if (deleted && /^\d+$/.test(deleted)) {
  document.getElementById("deleted").textContent =
    `sheet ${deleted} deleted; its answers stay in the store's log`;
}
refresh().catch((error) => showError(errorBox, error));
