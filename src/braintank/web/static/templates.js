// Templates page: make a sheet with GET /api/template and save it; errors stay on the page.
"use strict";
navigation("templates");
const errorBox = document.getElementById("error");

function query(format) {
  const params = new URLSearchParams();
  for (const name of ["rows", "cols", "title"]) {
    params.set(name, document.getElementById(name).value);
  }
  params.set("format", format);
  for (const [field, name] of [["row-labels", "row_label"], ["col-labels", "col_label"]]) {
    const text = document.getElementById(field).value.trim();
    if (text) text.split(",").forEach((label) => params.append(name, label.trim()));
  }
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
