"""Every route is either marked public or covered by the authorization matrix, and nothing else."""

from __future__ import annotations

from collections.abc import Callable

from portal.app import create_app
from portal.security.authentication import PUBLIC
from tests.access.matrix import load_matrix
from tests.api.conftest import settings_for_tests

IGNORED_METHODS = {"OPTIONS", "HEAD"}


def _app_routes() -> dict[str, bool]:
    """'METHOD /path' -> whether the handler is marked public."""
    app = create_app(settings_for_tests())
    found: dict[str, bool] = {}
    for route in app.routes:
        for handler in route.route_handlers:
            for method in getattr(handler, "http_methods", ()):
                if method not in IGNORED_METHODS:
                    found[f"{method} {route.path}"] = bool(handler.opt.get(PUBLIC))
    return found


def test_every_route_is_public_or_in_the_authorization_matrix(figure: Callable[[str], None]) -> None:
    routes = _app_routes()
    matrix = load_matrix()
    covered = {route.key for route in matrix.routes}

    unclassified = sorted(key for key, public in routes.items() if not public and key not in covered)

    figure(
        f"route inventory: {len(routes)} routes, {sum(routes.values())} public, {len(covered)} in the "
        f"authorization matrix, {len(unclassified)} unclassified"
    )
    assert unclassified == [], "add these routes to docs/security/authorization.toml"


def test_the_matrix_names_no_route_the_app_does_not_have() -> None:
    routes = _app_routes()

    stale = sorted(route.key for route in load_matrix().routes if route.key not in routes)

    assert stale == []


def test_public_routes_are_the_expected_few() -> None:
    public = sorted(key for key, is_public in _app_routes().items() if is_public)

    assert public == [
        "GET /",
        "GET /api/docs",
        "GET /api/docs/openapi.json",
        "GET /api/docs/rapidoc",
        "GET /api/docs/{path:str}",
        "GET /health",
        "GET /invitations/{token:str}",
        "GET /q/{token:str}",
        "GET /q/{token:str}/pdf",
        "GET /sign-in",
        "GET /static/{file_path:path}",
        "POST /invitations/{token:str}",
        "POST /language",
        "POST /q/{token:str}",
        "POST /sign-in",
        "POST /sign-out",
    ]
