"""What every request passes before a route sees it: the remote token, the body limit, the session (for CSRF),
and the headers every response carries (a Content-Security-Policy that allows scripts from this server only)."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from http.cookies import SimpleCookie
from typing import Any
from urllib.parse import parse_qs

from starlette.types import ASGIApp, Message, Receive, Scope, Send

#: Request bodies larger than this are refused with 413: a claim edit or a what-if is a few kilobytes.
MAX_BODY = 1024 * 1024
SESSION_COOKIE = "armsflow_session"
TOKEN_COOKIE = "armsflow_token"
#: No inline script or style, nothing from another origin, no framing: quotes come from untrusted documents.
CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
       "form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
HEADERS = [(b"content-security-policy", CSP.encode()), (b"x-content-type-options", b"nosniff"),
           (b"referrer-policy", b"same-origin"), (b"x-frame-options", b"DENY")]


def csrf_token(secret: bytes, session: str) -> str:
    """The CSRF token of a session: only this server (holding ``secret``) can compute it from the cookie."""
    return hmac.new(secret, session.encode(), hashlib.sha256).hexdigest()


async def _plain(send: Send, status: int, text: str) -> None:
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"text/plain; charset=utf-8"), *HEADERS]})
    await send({"type": "http.response.body", "body": text.encode()})


def _hostname(host: str) -> str:
    """The name in a Host header, without its port (``[::1]:8000`` gives ``[::1]``)."""
    return host[: host.index("]") + 1] if host.startswith("[") and "]" in host else host.split(":", 1)[0]


class Guard:
    """ASGI middleware: token (when serving beyond this machine), body limit, session cookie, security headers."""

    def __init__(self, app: ASGIApp, token: str | None, hosts: tuple[str, ...] | None) -> None:
        self.app = app
        self.token = token
        self.hosts = hosts

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        cookies = {k: m.value for k, m in SimpleCookie(headers.get("cookie", "")).items()}
        set_cookies: list[str] = []
        if self.hosts is not None and _hostname(headers.get("host", "")) not in self.hosts:
            # A page on another site whose name was made to point here (DNS rebinding) names its own host.
            await _plain(send, 421, f"this workbench answers only to {', '.join(self.hosts)}")
            return
        if self.token is not None:
            query = parse_qs(scope.get("query_string", b"").decode("latin-1")).get("token", [""])[0]
            given = headers.get("x-armsflow-token") or cookies.get(TOKEN_COOKIE) or query
            if not hmac.compare_digest(given.encode(), self.token.encode()):
                await _plain(send, 401, "this workbench serves beyond its own machine: give the token it printed "
                                        "(?token=... once, or the X-Armsflow-Token header)")
                return
            if query:
                set_cookies.append(f"{TOKEN_COOKIE}={self.token}; Path=/; HttpOnly; SameSite=Strict")
        length = headers.get("content-length", "")
        if length and (not length.isdigit() or int(length) > MAX_BODY):
            await _plain(send, 413, f"request body larger than {MAX_BODY // 1024} KiB")
            return
        body, more = b"", True
        while more:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            body += message.get("body", b"")
            more = message.get("more_body", False)
            if len(body) > MAX_BODY:
                await _plain(send, 413, f"request body larger than {MAX_BODY // 1024} KiB")
                return
        session = cookies.get(SESSION_COOKIE, "")
        if len(session) != 43:
            session = secrets.token_urlsafe(32)
            set_cookies.append(f"{SESSION_COOKIE}={session}; Path=/; HttpOnly; SameSite=Strict")
        scope.setdefault("state", {})["session"] = session
        sent = False

        async def replay() -> Message:
            nonlocal sent
            if sent:  # the body was read above: what comes now is the client going away
                return await receive()
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                extra: list[Any] = [*HEADERS, *((b"set-cookie", c.encode()) for c in set_cookies)]
                message = {**message, "headers": [*message.get("headers", []), *extra]}
            await send(message)

        await self.app(scope, replay, with_headers)
