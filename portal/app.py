"""The application factory: every router, middleware and plugin, listed explicitly."""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from litestar import Litestar, Request, Router
from litestar.config.csrf import CSRFConfig
from litestar.di import Provide
from litestar.logging import LoggingConfig
from litestar.middleware import DefineMiddleware
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import JsonRenderPlugin, RapidocRenderPlugin
from litestar.openapi.spec import Components, SecurityScheme
from litestar.plugins.flash import FlashConfig, FlashPlugin
from litestar.plugins.htmx import HTMXPlugin
from litestar.static_files import create_static_files_router
from litestar.stores.base import Store
from litestar.stores.memory import MemoryStore

from channel.transactions import engine
from channel.visibility import Actor
from core.clock import Clock, SystemClock
from incentives.services import fund
from portal import api, distributor, manufacturer, public, store
from portal.documents.renderer import DocumentRenderer
from portal.errors import EXCEPTION_HANDLERS
from portal.jobs import start_jobs, stop_jobs
from portal.locale_middleware import LocaleMiddleware
from portal.security.authentication import PUBLIC, PortalAuthenticationMiddleware
from portal.security.csrf import PortalCSRFMiddleware
from portal.security.headers import SecurityHeadersMiddleware
from portal.security.sessions import RotatingSessionConfig
from portal.security.throttling import AccountThrottle, sign_in_rate_limit
from portal.settings import Settings
from portal.templating import STATIC_DIR, static_url, template_config

API_VERSION = "0.1.0"


def _stores(settings: Settings) -> dict[str, Store]:
    if settings.redis_url:
        from litestar.stores.redis import RedisStore

        root = RedisStore.with_client(url=settings.redis_url, namespace="portal")
        return {name: root.with_namespace(name) for name in ("sessions", "rate_limits", "sign_in_failures")}
    return {"sessions": MemoryStore(), "rate_limits": MemoryStore(), "sign_in_failures": MemoryStore()}


def create_app(settings: Settings | None = None, clock: Clock | None = None) -> Litestar:
    settings = settings or Settings.from_env()
    clock = clock or SystemClock()
    fund.provide()  # ordering pays orders from the buyer's rebate fund through this (ordering.payments)
    stores = _stores(settings)
    secure = settings.secure_cookies
    renderer = DocumentRenderer(
        workers=settings.document_workers,
        timeout_seconds=settings.document_timeout_seconds,
        memory_limit_mib=settings.document_memory_mib,
    )

    session_config = RotatingSessionConfig(
        key="__Host-session" if secure else "portal_session",
        secure=secure,
        httponly=True,
        samesite="lax",
        max_age=settings.session_idle_minutes * 60,
        renew_on_access=True,
        store="sessions",
        exclude=["^/static/", "^/health$"],
    )
    csrf_config = CSRFConfig(
        secret=settings.secret_key,
        cookie_name="__Host-csrftoken" if secure else "portal_csrf",
        cookie_secure=secure,
        cookie_httponly=True,
        cookie_samesite="lax",
        header_name="x-csrftoken",
        exclude=["^/static/", "^/health$"],
    )
    templates = template_config()

    pool_started_here = False

    async def start_database_pool() -> None:
        # A pool someone else started (a test session, an embedding process) is used as it is.
        nonlocal pool_started_here
        db = engine()
        if db.engine_type == "postgres" and getattr(db, "pool", None) is None:
            await db.start_connection_pool(min_size=2, max_size=20)
            pool_started_here = True

    async def close_database_pool() -> None:
        nonlocal pool_started_here
        if pool_started_here:
            await engine().close_connection_pool()
            pool_started_here = False

    def provide_actor(request: Request[Any, Any, Any]) -> Actor:
        return request.user  # type: ignore[no-any-return]

    app = Litestar(
        route_handlers=[
            public.router,
            api.router,
            manufacturer.router,
            distributor.router,
            store.router,
            create_static_files_router(
                path="/static", directories=[STATIC_DIR], opt={PUBLIC: True}, include_in_schema=False
            ),
        ],
        middleware=[
            DefineMiddleware(SecurityHeadersMiddleware, hsts=settings.is_production),
            session_config.middleware,
            sign_in_rate_limit(settings.sign_in_attempts_per_minute).middleware,
            DefineMiddleware(
                PortalAuthenticationMiddleware,
                clock=clock,
                absolute_session_lifetime=timedelta(hours=settings.session_absolute_hours),
            ),
            DefineMiddleware(LocaleMiddleware, timezone=settings.display_timezone),
            DefineMiddleware(PortalCSRFMiddleware, config=csrf_config),
        ],
        plugins=[HTMXPlugin(), FlashPlugin(FlashConfig(template_config=templates))],
        template_config=templates,
        stores=stores,
        dependencies={
            "clock": Provide(lambda: clock, sync_to_thread=False),
            "settings": Provide(lambda: settings, sync_to_thread=False),
            "renderer": Provide(lambda: renderer, sync_to_thread=False),
            "actor": Provide(provide_actor, sync_to_thread=False),
            "account_throttle": Provide(
                lambda: AccountThrottle(stores["sign_in_failures"], settings.sign_in_failures_per_account),
                sync_to_thread=False,
            ),
        },
        exception_handlers=EXCEPTION_HANDLERS,
        openapi_config=OpenAPIConfig(
            title="Channel Portal API",
            version=API_VERSION,
            description=(
                "The JSON API of Channel Portal. Machine clients send `Authorization: Bearer <token>` "
                "with a token an organisation admin created; every answer is limited to what that "
                "organisation may see. Errors are RFC 9457 problem details with a stable `code`."
            ),
            path="/api/docs",
            render_plugins=[
                RapidocRenderPlugin(js_url=static_url("vendor/rapidoc-9.3.8.min.js")),
                JsonRenderPlugin(),
            ],
            openapi_router=Router(
                path="/api/docs", route_handlers=[], opt={PUBLIC: True}, include_in_schema=False
            ),
            components=Components(
                security_schemes={"BearerToken": SecurityScheme(type="http", scheme="bearer")}
            ),
            security=[{"BearerToken": []}],
            create_examples=False,
            use_handler_docstrings=True,
        ),
        on_startup=[start_database_pool, start_jobs],
        on_shutdown=[stop_jobs, close_database_pool, lambda: renderer.close()],
        request_max_body_size=settings.max_request_body_bytes,
        logging_config=LoggingConfig(
            log_exceptions="never",
            loggers={"portal": {"level": "INFO", "handlers": ["queue_listener"], "propagate": False}},
        ),
        debug=False,
    )
    app.state.settings = settings
    app.state.clock = clock
    app.state.renderer = renderer
    logging.getLogger("portal").debug("application created for %s", settings.environment)
    return app
