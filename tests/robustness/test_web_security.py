"""The web app's security details: the token redirect stays on this site, writes a browser
marks as sent by another site are refused, only exact loopback Host headers pass, no server
path reaches a client, a refused upload keeps nothing, tokens must not be trivially guessed,
and no page loads anything from another host."""

from __future__ import annotations

import re
import time
from urllib.parse import urlparse

import numpy as np
import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from braintank.errors import BraintankError
from braintank.web.app import create_app
from braintank.web.config import WebConfig, resolve_token
from braintank.web.security import LOOPBACK_NAMES

from .cli_errors import one_line_error

TOKEN = "Zq8-v2Lw9xT4mR7kP1nB"
CHECKS = settings(max_examples=100, deadline=None,
                  suppress_health_check=[HealthCheck.function_scoped_fixture])


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    return tmp_path_factory.mktemp("web-security")


@pytest.fixture(scope="module")
def guarded(folder):
    """A server with a token, serving only loopback names (as `serve` on 127.0.0.1 does)."""
    app = create_app(WebConfig(db=folder / "sheets.db", uploads=folder / "uploads",
                               token=TOKEN, allowed_hosts=LOOPBACK_NAMES))
    with TestClient(app, base_url="http://127.0.0.1:8000") as client:
        yield client


@CHECKS
@given(path=st.lists(st.sampled_from(["/", "\\", "%2F", "%2f", "%5C", "evil.example", ".",
                                      "draw", "%09"]), min_size=1, max_size=6).map("".join))
@example(path="/evil.example/")
@example(path="%2F%2Fevil.example")
def test_the_token_redirect_never_leaves_the_site(guarded, path):
    answer = guarded.get(f"http://127.0.0.1:8000/{path}?token={TOKEN}", follow_redirects=False)
    if answer.status_code != 303:
        return
    location = answer.headers["location"]
    assert location.startswith("/") and location[1:2] not in ("/", "\\"), location
    assert urlparse(location).netloc == "" and "token=" not in location


@pytest.mark.parametrize("site, refused", [("cross-site", True), ("same-site", True),
                                           ("same-origin", False), ("none", False)])
def test_writes_a_browser_marks_as_from_another_site_are_refused(guarded, site, refused):
    answer = guarded.post("/api/corrections", headers={
        "Authorization": f"Bearer {TOKEN}", "Sec-Fetch-Site": site},
        json={"sheet_id": 1, "row": 1, "col": 1, "answer": "3", "who": "x"})
    assert (answer.status_code == 403) == refused, answer.text
    assert answer.headers["content-type"].startswith("application/json")


@CHECKS
@given(host=st.sampled_from(["127.0.0.1", "localhost", "[::1]", "evil.example", "[::1]evil",
                             "127.0.0.1.evil", "[::1]evil.example"])
       .flatmap(lambda h: st.sampled_from([h, h + ":8000", h + "@x", h + ":", h + ":8000x"])))
def test_only_exact_loopback_hosts_are_served(guarded, host):
    answer = guarded.get("/api/model", headers={"Host": host,
                                                "Authorization": f"Bearer {TOKEN}"})
    exact = re.fullmatch(r"(127\.0\.0\.1|localhost|\[::1\])(:\d{1,5})?", host)
    assert (answer.status_code == 200) == bool(exact), (host, answer.status_code)


@pytest.fixture()
def client(tmp_path):
    with TestClient(create_app(WebConfig(db=tmp_path / "sheets.db",
                                         uploads=tmp_path / "uploads"))) as test_client:
        yield test_client


def _png() -> bytes:
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.fromarray(np.full((40, 40), 255, np.uint8)).save(buffer, "PNG")
    return buffer.getvalue()


def test_each_file_of_an_upload_is_accepted_or_refused_on_its_own(client, tmp_path):
    refused = client.post("/api/sheets", files=[
        ("files", ("notes.txt", b"just text", "text/plain")),
        ("files", ("empty.jpg", b"", "image/jpeg"))])
    assert refused.status_code == 415 and "nothing to read: notes.txt: not an image" in \
        refused.json()["error"] and "empty.jpg: empty file" in refused.json()["error"]
    assert [p for p in (tmp_path / "uploads").rglob("*") if p.is_file()] == []
    mixed = client.post("/api/sheets", files=[
        ("files", ("good.png", _png(), "image/png")),
        ("files", ("notes.jpg", b"just text", "image/jpeg"))])
    assert mixed.status_code == 202 and mixed.json()["files"] == ["good.png"]
    assert [r["file"] for r in mixed.json()["refused"]] == ["notes.jpg"]
    kept = [p.name for p in (tmp_path / "uploads").rglob("*") if p.is_file()]
    assert kept == ["good.png"]


def test_no_server_path_reaches_the_client(client, tmp_path):
    answer = client.post("/api/sheets", files=[
        ("files", ("judges.pdf", b"%PDF-1.4 not really a pdf", "application/pdf"))])
    job = answer.json()["job"]
    deadline = time.monotonic() + 60
    while (progress := client.get(f"/api/jobs/{job}").json())["state"] not in ("done",
                                                                               "failed"):
        assert time.monotonic() < deadline
        time.sleep(0.1)
    listing = client.get("/api/sheets").text + str(progress) + client.get("/sheets").text
    assert "judges.pdf" in listing
    assert str(tmp_path) not in listing and "uploads" not in listing


def test_docs_need_no_other_host(client):
    assert client.get("/docs").status_code == 404
    assert client.get("/openapi.json").status_code == 200
    for page in ("/draw", "/sheets", "/sheet", "/review", "/results", "/templates", "/models"):
        assert not re.search(r"""(src|href)=["']?(https?:)?//""", client.get(page).text)


@settings(max_examples=100, deadline=None)
@given(token=st.text(st.sampled_from("aA1-"), min_size=16, max_size=40)
       | st.text(min_size=16, max_size=40).filter(lambda t: len(set(t)) < 8))
@example(token="a" * 16)
def test_a_token_of_few_distinct_characters_is_refused(token):
    with pytest.raises(BraintankError, match="different characters"):
        resolve_token(token, "0.0.0.0")


def test_serve_refuses_a_repeated_letter_token_in_one_line(capsys, tmp_path):
    line = one_line_error(capsys, ["serve", "--db", str(tmp_path / "r.db"), "--host",
                                   "0.0.0.0", "--token", "a" * 16])
    assert "at least 8 different characters" in line
