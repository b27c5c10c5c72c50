"""The access token, checked on every request and page when the server has one.

A client shows it as `Authorization: Bearer TOKEN`, or once as `?token=TOKEN` in a page's
address: the server then sets it as an HttpOnly, SameSite=Strict cookie, so the pages' own
requests, images and downloads carry it without it showing in later addresses.
"""

from __future__ import annotations

import hmac
import re
from urllib.parse import urlencode, urlparse

from fastapi import Request
from fastapi.responses import JSONResponse, RedirectResponse, Response
from starlette.middleware.base import BaseHTTPMiddleware

COOKIE = "braintank_token"
OPEN_PATHS = frozenset({"/health"})  # monitoring needs no token and tells nothing


def _same(given: str | None, token: str) -> bool:
    return given is not None and hmac.compare_digest(given.encode(), token.encode())


def presented_token(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    if header.lower().startswith("bearer "):
        return header[7:].strip()
    return request.cookies.get(COOKIE) or request.query_params.get("token")


class TokenMiddleware(BaseHTTPMiddleware):
    def __init__(self, app, token: str) -> None:
        super().__init__(app)
        self.token = token

    async def dispatch(self, request: Request, call_next) -> Response:
        if request.url.path in OPEN_PATHS:
            return await call_next(request)
        if not _same(presented_token(request), self.token):
            return JSONResponse(status_code=401, headers={"WWW-Authenticate": "Bearer"},
                                content={"error": "missing or wrong access token (send "
                                                  "'Authorization: Bearer TOKEN' or open "
                                                  "the page once with ?token=TOKEN)"})
        if "token" in request.query_params and request.method == "GET" \
                and not request.url.path.startswith("/api/"):
            # Take the token out of the address bar (and history) once the cookie holds it.
            query = urlencode([(k, v) for k, v in request.query_params.multi_items()
                               if k != "token"])
            response = RedirectResponse(_same_site_path(request) + (f"?{query}" if query
                                                                    else ""), 303)
        else:
            response = await call_next(request)
        response.set_cookie(COOKIE, self.token, httponly=True, samesite="strict")
        return response


def _same_site_path(request: Request) -> str:
    """The request's path as sent (still percent-encoded), starting with exactly one '/':
    `//evil.example/` or `/%2F%2Fevil.example` would otherwise redirect to another site
    (browsers read a leading `//` or `/\\` as "another host")."""
    raw = request.scope.get("raw_path") or request.url.path.encode()
    return "/" + raw.decode("latin-1").lstrip("/\\")


LOOPBACK_NAMES = ("127.0.0.1", "localhost", "::1")
_HOST = re.compile(r"(?:\[(?P<ip6>[0-9A-Fa-f:.]+)\]|(?P<name>[^:\[\]/@\s]+))(?::\d{1,5})?")
# Sec-Fetch-Site values of requests a page of this server made, or a person typed.
_OWN_FETCHES = ("same-origin", "none")


def _host_name(host_header: str) -> str | None:
    """'example.org:8000' -> 'example.org'; '[::1]:8000' -> '::1'; None when the header is
    not a host and port at all ('[::1]evil.example' passed as loopback before)."""
    match = _HOST.fullmatch(host_header)
    return None if match is None else match["ip6"] or match["name"]


class SameOriginMiddleware(BaseHTTPMiddleware):
    """Two checks a browser needs even without a token.

    - `allowed_hosts`: on a loopback address only Host: 127.0.0.1/localhost/[::1] is served,
      so a web page whose name is rebound to 127.0.0.1 (DNS rebinding) cannot read the scores.
    - Writes (POST and the like) whose Origin is another site, or that a browser marks as
      sent by another site (Sec-Fetch-Site), are refused, so a page elsewhere cannot upload
      or correct through the reviewer's browser (CSRF); clients that send neither header
      (curl, scripts) are not browsers and pass.
    """

    def __init__(self, app, allowed_hosts: tuple[str, ...] | None) -> None:
        super().__init__(app)
        self.allowed_hosts = allowed_hosts

    async def dispatch(self, request: Request, call_next) -> Response:
        host = request.headers.get("host", "")
        if self.allowed_hosts is not None and _host_name(host) not in self.allowed_hosts:
            return JSONResponse(status_code=400, content={
                "error": f"Host {host[:80]!r} is not this server's address "
                         f"({', '.join(self.allowed_hosts)})"})
        if request.method in ("GET", "HEAD", "OPTIONS"):
            return await call_next(request)
        origin = request.headers.get("origin")
        if origin is not None and urlparse(origin).netloc != host:
            return JSONResponse(status_code=403, content={
                "error": f"cross-origin {request.method} from {origin[:80]!r} refused"})
        site = request.headers.get("sec-fetch-site")
        if site is not None and site not in _OWN_FETCHES:
            return JSONResponse(status_code=403, content={
                "error": f"{request.method} sent by another site (Sec-Fetch-Site: "
                         f"{site[:20]!r}) refused"})
        return await call_next(request)
