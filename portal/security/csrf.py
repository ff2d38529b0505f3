"""CSRF protection on every unsafe request a browser could be tricked into sending.

Litestar's double-submit-cookie middleware, except for requests authenticated by an
``Authorization`` header: browsers do not attach one on their own, so a forged cross-site request
cannot carry it, and machine clients (a partner's ERP) have no CSRF cookie to echo.
"""

from __future__ import annotations

from litestar.datastructures import Headers
from litestar.middleware.csrf import CSRFMiddleware
from litestar.types import Receive, Scope, Send


class PortalCSRFMiddleware(CSRFMiddleware):
    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and "authorization" in Headers.from_scope(scope):
            await self.app(scope, receive, send)
            return
        await super().__call__(scope, receive, send)
