// Shared by the pages: the navigation bar and JSON calls that turn errors into messages.
"use strict";
const PAGES = [["draw", "Draw"], ["sheets", "Sheets"], ["review", "Review"],
               ["templates", "Templates"], ["models", "Model"]];

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

async function api(path, options) {
  const response = await fetch(path, options);
  const type = response.headers.get("content-type") || "";
  const body = type.includes("json") ? await response.json() : await response.text();
  if (!response.ok) throw new Error((body && body.error) || `${response.status} ${path}`);
  return body;
}

function showError(element, error) {
  element.textContent = error ? String(error.message || error) : "";
}
