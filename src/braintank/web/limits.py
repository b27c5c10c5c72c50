"""Request bodies above the server's upload limit are refused with 413 before they are parsed
(by the declared Content-Length, and by counting when a client streams without declaring)."""

from __future__ import annotations

import json


def _error_body(limit: int) -> bytes:
    return json.dumps({"error": f"upload too large: the limit is {limit / 1e6:g} MB per "
                                "request"}).encode()


class BodySizeLimit:
    """Pure ASGI middleware: the body is counted as it arrives, never held whole."""

    def __init__(self, app, limit: int) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.limit:
            await self._refuse(send)
            return
        received = 0
        too_large = refused = False

        async def counting_receive():
            nonlocal received, too_large
            if too_large:  # the app keeps reading: tell it the client is gone
                return {"type": "http.disconnect"}
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.limit:
                    too_large = True
                    return {"type": "http.disconnect"}
            return message

        async def replacing_send(message):
            # Whatever the app answers to a body cut short (parsers turn it into a 400 of
            # their own) becomes the 413 that says why.
            nonlocal refused
            if not too_large:
                await send(message)
            elif not refused:
                refused = True
                await self._refuse(send)

        try:
            await self.app(scope, counting_receive, replacing_send)
        except Exception:
            if not too_large:
                raise
            if not refused:
                await self._refuse(send)

    async def _refuse(self, send) -> None:
        body = _error_body(self.limit)
        await send({"type": "http.response.start", "status": 413,
                    "headers": [(b"content-type", b"application/json"),
                                (b"content-length", str(len(body)).encode()),
                                (b"connection", b"close")]})
        await send({"type": "http.response.body", "body": body})
