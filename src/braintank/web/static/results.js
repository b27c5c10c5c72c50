// Results page: contestants x judges with total, mean and rank (GET /api/results), the files
// to publish, and the cells that keep a contestant from final, each linked to its sheet.
"use strict";
navigation("results");
const sheets = new URLSearchParams(location.search).getAll("sheet").filter((s) => /^\d+$/.test(s));
const filter = sheets.length ? "?" + sheets.map((s) => `sheet=${s}`).join("&") : "";

function row(cells, header) {
  const tr = document.createElement("tr");
  for (const text of cells) tr.appendChild(element(header ? "th" : "td", text));
  return tr;
}

async function load() {
  const r = await api("/api/results" + filter);
  document.getElementById("title").textContent = r.title || "Results";
  document.getElementById("summary").textContent = r.summary;
  for (const kind of ["csv", "xlsx", "pdf"]) {
    document.getElementById(kind).href = `/api/results.${kind}${filter}`;
  }
  const table = document.getElementById("table");
  table.querySelector("thead").replaceChildren(
    row(["Rank", "Contestant", ...r.judges, "Total", "Mean", "Final"], true));
  const body = table.querySelector("tbody");
  body.replaceChildren();
  for (const c of r.contestants) {
    const scores = c.scores.map((s) => (!s ? "" : s.value !== null ? String(s.value) :
      s.state === "empty" ? "" : "?"));
    const tr = row([c.tied ? `${c.rank}=` : String(c.rank), c.name, ...scores, String(c.total),
                    c.mean === null ? "" : c.mean.toFixed(2), c.final ? "yes" : "no"]);
    tr.dataset.contestant = c.name;
    if (!c.final) tr.className = "not-final";
    body.appendChild(tr);
  }
  const list = document.getElementById("open");
  list.replaceChildren(...r.open.map((o) => {
    const li = element("li", `${o.contestant} / ${o.judge}: ${o.why} `);
    const [sheet, rowNumber, col] = o.cells[0];
    const a = element("a", o.where.join(", "));
    a.href = `/sheet?id=${sheet}&row=${rowNumber}&col=${col}`;
    li.appendChild(a);
    return li;
  }));
  document.getElementById("open-panel").hidden = !r.open.length;
}

load().catch((error) => showError(document.getElementById("error"), error));
