// Templates page: make a sheet with GET /api/template and save it; its title and labels are
// kept in the store (POST /api/layouts), so results name contestants and judges. Labels are
// one per line: a name may hold a comma.
"use strict";
navigation("templates");
const errorBox = document.getElementById("error");

function labels(field) {
  return document.getElementById(field).value.split("\n").map((label) => label.trim())
    .filter((label) => label);
}

function query(format) {
  const params = new URLSearchParams();
  for (const name of ["rows", "cols", "title"]) {
    params.set(name, document.getElementById(name).value);
  }
  params.set("format", format);
  labels("row-labels").forEach((label) => params.append("row_label", label));
  labels("col-labels").forEach((label) => params.append("col_label", label));
  return "/api/template?" + params.toString();
}

async function fetchFile(url) {
  const response = await fetch(url);
  if (!response.ok) throw new Error((await response.json()).error);
  const name = /filename="([^"]+)"/.exec(response.headers.get("content-disposition") || "");
  return [await response.blob(), name ? name[1] : "sheet"];
}

document.getElementById("template").addEventListener("submit", async (event) => {
  event.preventDefault();
  showError(errorBox, null);
  try {
    const [blob, name] = await fetchFile(query(document.getElementById("format").value));
    await postJson("/api/layouts", {
      rows: Number(document.getElementById("rows").value),
      cols: Number(document.getElementById("cols").value),
      title: document.getElementById("title").value, row_labels: labels("row-labels"),
      col_labels: labels("col-labels")});
    const a = document.createElement("a");
    a.href = URL.createObjectURL(blob); a.download = name;
    document.body.appendChild(a); a.click(); a.remove();
    document.getElementById("made").textContent = `made ${name}`;
    const [png] = await fetchFile(query("png"));
    document.getElementById("preview").src = URL.createObjectURL(png);
  } catch (error) {
    showError(errorBox, error);
  }
});
