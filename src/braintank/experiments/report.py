"""One HTML page from many experiment folders: each summary's table, figures inline."""

from __future__ import annotations

import base64
import html
import json
from pathlib import Path

from braintank.fileio import atomic_write_text

_STYLE = ("body{font-family:sans-serif;max-width:1100px;margin:2em auto}"
          "table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:3px 6px}"
          "img{max-width:100%}.no{color:#b00}.yes{color:#070}")


def _section(folder: Path) -> str:
    result = json.loads((folder / "result.json").read_text(encoding="utf-8"))
    mode = "quick" if result["quick"] else "full"
    rows = []
    for c in result["comparisons"]:
        verdict = {True: "yes", False: "no", None: "n/a"}[c["agrees"]]
        cells = "".join(f"<td>{html.escape(str(c[key]))}</td>"
                        for key in ("quantity", "seed", "measured"))
        rows.append(f"<tr>{cells}<td class='{verdict}'>{verdict}</td>"
                    f"<td>{html.escape(c['why'])}</td></tr>")
    notes = "".join(f"<li>{html.escape(n)}</li>" for n in result["notes"])
    images = "".join(
        f"<p><img alt='{html.escape(name)}' src='data:image/png;base64,"
        f"{base64.b64encode((folder / name).read_bytes()).decode()}'></p>"
        for name in result["figures"])
    return (f"<h2 id='{html.escape(result['name'])}'>{html.escape(result['title'])}</h2>"
            f"<p>{mode} run, {result['seconds']} s</p><table><tr><th>quantity</th><th>seed</th>"
            f"<th>measured</th><th>agrees</th><th>why</th></tr>{''.join(rows)}</table>"
            f"<ul>{notes}</ul>{images}")


def write_html_report(folders: list[Path], out_file: Path) -> Path:
    """report.html with one section per experiment folder (in the given order)."""
    index = "".join(f"<li><a href='#{f.name}'>{html.escape(f.name)}</a></li>" for f in folders)
    body = "".join(_section(f) for f in folders)
    page = (f"<!doctype html><html><head><meta charset='utf-8'><title>braintank course "
            f"experiments</title><style>{_STYLE}</style></head><body><h1>Course experiments"
            f"</h1><ul>{index}</ul>{body}</body></html>\n")
    atomic_write_text(out_file, page)
    return out_file
