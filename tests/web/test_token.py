"""Binding beyond 127.0.0.1 needs a token; with one, every request and page asks for it."""

from __future__ import annotations

import httpx
import pytest

from braintank.cli.main import main
from braintank.errors import BraintankError
from braintank.web.config import resolve_token

from .helpers import TOKEN, Server

PROTECTED = ["/draw", "/review", "/sheets", "/templates", "/models", "/static/draw.js",
             "/api/sheets", "/api/review", "/api/model", "/api/export.csv", "/openapi.json",
             "/"]  # no /docs: it loaded scripts from a CDN


def test_loopback_needs_no_token_other_addresses_do(monkeypatch):
    monkeypatch.delenv("BRAINTANK_TOKEN", raising=False)
    assert resolve_token(None, "127.0.0.1") is None
    assert resolve_token(None, "::1") is None
    for host in ("0.0.0.0", "192.168.1.20", "::", "example.org"):
        with pytest.raises(BraintankError, match="needs an access token"):
            resolve_token(None, host)
    assert resolve_token(TOKEN, "0.0.0.0") == TOKEN
    monkeypatch.setenv("BRAINTANK_TOKEN", TOKEN)
    assert resolve_token(None, "0.0.0.0") == TOKEN
    with pytest.raises(BraintankError, match="at least 16 characters"):
        resolve_token("short", "0.0.0.0")


def test_serve_refuses_a_public_address_without_token(monkeypatch, tmp_path, capsys):
    monkeypatch.delenv("BRAINTANK_TOKEN", raising=False)
    code = main(["serve", "--host", "0.0.0.0", "--db", str(tmp_path / "s.db")])
    err = capsys.readouterr().err
    assert code != 0
    assert err.strip() == ("braintank: error: --host 0.0.0.0: binding to an address other "
                           "than 127.0.0.1 needs an access token (--token or $BRAINTANK_TOKEN)")
    assert not (tmp_path / "s.db").exists()


def test_every_request_and_page_asks_for_the_token(make_client, one_png):
    client = make_client(token=TOKEN)
    for path in PROTECTED:
        answer = client.get(path, follow_redirects=False)
        assert answer.status_code == 401, path
        assert "access token" in answer.json()["error"]
    wrong = {"Authorization": "Bearer " + TOKEN[:-1] + "X"}
    assert client.get("/api/sheets", headers=wrong).status_code == 401
    files = [("images", ("one.png", one_png, "image/png"))]
    assert client.post("/api/predict", files=files).status_code == 401
    assert client.post("/api/corrections", json={}).status_code == 401
    assert client.get("/health").json() == {"status": "ok"}  # open, and tells nothing more
    good = {"Authorization": f"Bearer {TOKEN}"}
    assert client.post("/api/predict", files=files, headers=good).status_code == 200
    for path in PROTECTED:
        assert client.get(path, headers=good).status_code == 200, path


def test_a_page_opened_with_the_token_sets_a_cookie_and_drops_it_from_the_address(
        make_client):
    client = make_client(token=TOKEN)
    first = client.get(f"/review?token={TOKEN}", follow_redirects=False)
    assert first.status_code == 303 and first.headers["location"] == "/review"
    cookie = first.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie.replace("Strict", "strict")
    assert client.get("/api/sheets").status_code == 200  # the cookie now carries it
    client.cookies.clear()
    assert client.get("/api/sheets").status_code == 401


def test_a_real_server_on_all_addresses_checks_the_token(tmp_path):
    server = Server(tmp_path, "--host", "0.0.0.0", "--token", TOKEN).start()
    try:
        assert httpx.get(server.url + "/api/sheets").status_code == 401
        assert httpx.get(server.url + "/draw").status_code == 401
        assert httpx.get(server.url + "/api/sheets",
                         headers={"Authorization": f"Bearer {TOKEN}"}).status_code == 200
    finally:
        server.kill()


def test_writes_from_another_site_are_refused(client, one_png):
    files = [("images", ("one.png", one_png, "image/png"))]
    evil = client.post("/api/predict", files=files, headers={"Origin": "https://evil.example"})
    assert evil.status_code == 403 and "cross-origin POST" in evil.json()["error"]
    same = client.post("/api/predict", files=files, headers={"Origin": "http://testserver"})
    assert same.status_code == 200
    assert client.get("/api/sheets", headers={"Origin": "https://evil.example"}).status_code \
        == 200  # reads are guarded by the browser's same-origin rule (no CORS headers here)


def test_a_loopback_server_answers_only_to_its_own_names(make_client):
    client = make_client(allowed_hosts=("127.0.0.1", "localhost", "::1"))
    for host in ("127.0.0.1:8000", "localhost", "[::1]:8000"):
        assert client.get("/api/sheets", headers={"Host": host}).status_code == 200, host
    rebound = client.get("/api/sheets", headers={"Host": "attacker.example:8000"})
    assert rebound.status_code == 400 and "not this server's address" in rebound.json()["error"]
