"""The ``portal`` command: init, demo, serve, create-user.

Modules that reach the database are imported inside the commands, so that a bad ``DATABASE_URL``
becomes a one-line error instead of a traceback at start-up.
"""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import click

T = TypeVar("T")


def _fail(message: str) -> None:
    raise click.ClickException(message)


def _run(work: Callable[[], Awaitable[T]]) -> T:
    """Run one async command body, turning configuration and connection problems into clear errors."""
    from piccolo_conf import DatabaseURLError

    try:
        from incentives.services import fund

        fund.provide()  # orders placed, cancelled or rejected from the command line use the rebate fund
        return asyncio.run(work())
    except DatabaseURLError as error:
        _fail(str(error))
        raise  # unreachable: _fail raises
    except Exception as error:
        from portal.database import DatabaseUnavailableError

        if isinstance(error, DatabaseUnavailableError):
            _fail(str(error))
        raise


def _import_config() -> Any:
    """Import the database configuration, reporting a bad DATABASE_URL in one line."""
    try:
        import piccolo_conf
    except ValueError as error:
        _fail(str(error))
    return piccolo_conf


async def _prepare_database() -> str:
    from piccolo_conf import DATABASE_URL
    from portal.database import check_reachable, migrate

    await check_reachable(DATABASE_URL)
    return await migrate()


@click.group()
def cli() -> None:
    """Channel Portal: the manufacturer's whole sales channel in one place."""


@cli.command()
@click.option("--code", help="The manufacturer's short code, e.g. ACME.")
@click.option("--name", help="The manufacturer's name.")
@click.option("--currency", default="EUR", show_default=True, help="ISO 4217 currency code.")
@click.option("--locale", default="en", show_default=True, help="Language, e.g. en, zh_Hans_CN, de_DE.")
@click.option("--country", default="", help="Two-letter country code.")
def init(code: str | None, name: str | None, currency: str, locale: str, country: str) -> None:
    """Create or migrate the database; with --code and --name, also create the manufacturer."""
    config = _import_config()

    async def work() -> None:
        await _prepare_database()
        click.echo(f"Database ready: {_describe(config.DATABASE_URL)}")
        if code and name:
            from channel.services import setup
            from core.clock import SystemClock
            from core.errors import ConflictError

            try:
                created = await setup.create_manufacturer(
                    setup.ManufacturerCreate(
                        code=code, name=name, currency=currency, locale=locale, country=country
                    ),
                    SystemClock(),
                )
            except ConflictError as error:
                _fail(f"Not created: {error.code.replace('_', ' ')}")
            else:
                click.echo(f"Manufacturer {created.name} ({created.code}) created.")

    _run(work)


@cli.command("create-user")
@click.option("--email", required=True)
@click.option("--name", "display_name", required=True)
@click.option("--organisation", "organisation_code", required=True, help="The organisation's partner code.")
@click.option("--role", "roles", multiple=True, required=True, help="Repeat for several roles.")
@click.password_option(help="Prompted for when not given (at least 10 characters).")
def create_user(
    email: str, display_name: str, organisation_code: str, roles: tuple[str, ...], password: str
) -> None:
    """Create a person who can sign in at once (as if invited and accepted)."""
    _import_config()

    async def work() -> None:
        from channel import schemas
        from channel.roles import ROLES_BY_KIND, Role
        from channel.services import access, partners, people
        from core.clock import SystemClock
        from core.errors import DomainError

        await _prepare_database()
        clock = SystemClock()
        try:
            system = await access.system_actor()
            organisation = await partners.find_partner_by_code(system, organisation_code)
            if organisation is None:
                _fail(f"No organisation has the code {organisation_code!r}.")
                return
            try:
                chosen = [Role(r) for r in roles]
            except ValueError:
                allowed = ", ".join(r.value for r in ROLES_BY_KIND[organisation.kind])
                _fail(f"Roles of a {organisation.kind.value}: {allowed}")
                return
            issued = await people.invite_user(
                system,
                schemas.InvitationCreate(
                    organisation_id=organisation.id, email=email, display_name=display_name, roles=chosen
                ),
                clock,
            )
            await people.accept_invitation(issued.token, password, clock)
        except DomainError as error:
            _fail(f"Not created: {error.code.replace('_', ' ')} {error.params or ''}".strip())
        click.echo(f"{display_name} <{email}> can now sign in to {organisation.name}.")

    _run(work)


@cli.command("check-stock")
def check_stock() -> None:
    """Verify that every stock level is the sum of its ledger and sound; exits 1 when not."""
    _import_config()

    async def work() -> None:
        from ordering.services import stock

        await _prepare_database()
        result = await stock.check_ledger()
        for line in result.mismatches:
            click.echo(line)
        if result.mismatches:
            _fail(f"{len(result.mismatches)} of {result.levels} stock levels differ from their ledger.")
        click.echo(f"{result.levels} stock levels, each the sum of its ledger.")

    _run(work)


@cli.command("rebuild-rollups")
def rebuild_rollups() -> None:
    """Recompute the KPI rollups from every order, registration, quote, lead and partner report."""
    _import_config()

    async def work() -> int:
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

        from core.clock import SystemClock
        from reports import rollups

        await _prepare_database()
        with Progress(
            TextColumn("Rebuilding rollups"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.description}"),
        ) as progress:
            task = progress.add_task("", total=None)

            def advance(family: str, done: int, months: int) -> None:
                index = [f.name for f in rollups.FAMILIES].index(family)
                progress.update(
                    task,
                    total=months * len(rollups.FAMILIES),
                    completed=index * months + done,
                    description=family,
                )

            return await rollups.rebuild(SystemClock(), advance)

    written = _run(work)
    click.echo(f"{written} rollup rows written.")


@cli.command("import-sell-out")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--partner", "partner_code", required=True, help="The reporting partner's code.")
@click.option("--stock", "is_stock", is_flag=True, help="The file is a stock report, not sell-out.")
def import_sell_out(file: str, partner_code: str, is_stock: bool) -> None:
    """Import a large sell-out (or stock) CSV/XLSX for a partner: checked row by row, saved only when clean."""
    _import_config()

    async def work() -> None:
        from pathlib import Path

        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

        from channel.roles import ADMIN_ROLE
        from channel.services import access, partners
        from channel.visibility import Actor
        from core.clock import SystemClock
        from core.errors import DomainError, InvalidInputError
        from portal.i18n import speaking
        from portal.messages import field_label, message
        from portal.settings import Settings
        from reports.reporting import ReportKind
        from reports.services import submissions

        await _prepare_database()
        system = await access.system_actor()
        organisation = await partners.find_partner_by_code(system, partner_code)
        if organisation is None or organisation.kind.value == "manufacturer":
            _fail(f"No distributor or store has the code {partner_code!r}.")
            return
        place = await partners.visible_place(system, organisation.id)
        actor = Actor(
            organisation_id=organisation.id,
            organisation_kind=organisation.kind,
            organisation_path=place.path,
            roles=frozenset({ADMIN_ROLE[organisation.kind]}),
            label="command line",
            organisation_name=organisation.name,
        )
        settings = Settings.from_env()
        limits = submissions.UploadLimits(
            max_bytes=max(settings.report_upload_max_bytes, 64 * 1024 * 1024),
            max_rows=max(settings.report_upload_max_rows, 1_000_000),
        )
        content = Path(file).read_bytes()  # noqa: ASYNC240 (a command, nothing else waits)
        kind = ReportKind.STOCK if is_stock else ReportKind.SELL_OUT
        with Progress(
            TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn()
        ) as bar:
            task = bar.add_task("Reading and checking", total=None)

            def advance(step: str, done: int, total: int) -> None:
                label = "Checked" if step == "checked" else "Saving"
                bar.update(task, description=label, completed=done, total=total)

            try:
                preview, saved = await submissions.import_file(
                    actor, kind, content, Path(file).name, SystemClock(), limits, advance
                )
            except InvalidInputError as refused:
                with speaking("en"):
                    _fail("; ".join(message(p.code, p.params) for p in refused.problems))
                return
            except DomainError as refused:
                _fail(refused.code.replace("_", " "))
                return
        if saved is None:
            with speaking("en"):
                for problem in preview.problems[:50]:
                    click.echo(
                        f"row {problem.row}, {field_label(problem.column)}: {message(problem.code, problem.params)}"
                    )
            _fail(f"Nothing was saved: {len(preview.problems)} problems in {preview.rows} rows.")
            return
        click.echo(
            f"{preview.line_count} lines over {len(preview.days)} days: {len(saved.reports)} reports saved,"
            f" {len(saved.unchanged)} days unchanged."
        )

    _run(work)


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--reload", is_flag=True, help="Restart on code changes (development).")
@click.option("--production", is_flag=True, help="Serve with granian and several workers.")
@click.option("--workers", default=2, show_default=True, type=int, help="With --production.")
def serve(host: str, port: int, reload: bool, production: bool, workers: int) -> None:
    """Serve the portal (migrating the database first)."""
    config = _import_config()
    _run(_prepare_database)
    _serve(config, host, port, reload, production, workers)


def _serve(config: Any, host: str, port: int, reload: bool, production: bool, workers: int) -> None:
    click.echo(f"Serving Channel Portal on http://{host}:{port} ({_describe(config.DATABASE_URL)})")
    if production:
        from granian import Granian
        from granian.constants import Interfaces

        Granian(
            "portal.asgi:app",
            address=host,
            port=port,
            interface=Interfaces.ASGI,
            workers=workers,
        ).serve()
        return
    import uvicorn

    uvicorn.run("portal.asgi:app", host=host, port=port, reload=reload, proxy_headers=False, log_level="info")


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--no-serve", is_flag=True, help="Load the demo and stop, without serving.")
def demo(host: str, port: int, no_serve: bool) -> None:
    """Load a realistic demo channel (once), print its sign-ins and serve it."""
    config = _import_config()

    async def load() -> None:
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

        from core.clock import SystemClock
        from portal.demo import commerce, deals, incentives, network, orders, performance, reports

        await _prepare_database()
        existing = await network.loaded_manufacturer()
        if existing == network.MANUFACTURER_CODE:
            click.echo("The demo channel is already loaded.")
            return
        if existing is not None:
            _fail(f"This database already holds the channel of {existing}; the demo needs an empty database.")
        with Progress(
            TextColumn("Loading the demo channel"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.description}"),
        ) as progress:
            total = (
                network.STEPS
                + commerce.STEPS
                + deals.STEPS
                + orders.STEPS
                + reports.STEPS
                + performance.STEPS
                + incentives.STEPS
            )
            task = progress.add_task("", total=total)
            clock = SystemClock()
            await network.load_network(clock, lambda step: progress.update(task, advance=1, description=step))
            await commerce.load_commerce(
                clock, lambda step: progress.update(task, advance=1, description=step)
            )
            await deals.load_deals(clock, lambda step: progress.update(task, advance=1, description=step))
            await orders.load_orders(clock, lambda step: progress.update(task, advance=1, description=step))
            # A year of history first, written as rows; then today's reports through the services.
            await performance.load_performance(
                clock, lambda step: progress.update(task, advance=1, description=step)
            )
            await reports.load_reports(clock, lambda step: progress.update(task, advance=1, description=step))
            await incentives.load_incentives(
                clock, lambda step: progress.update(task, advance=1, description=step)
            )

    _run(load)
    _print_sign_ins()
    if not no_serve:
        _serve(config, host, port, reload=False, production=False, workers=1)


def _print_sign_ins() -> None:
    from rich.console import Console
    from rich.table import Table

    from portal.demo import network

    table = Table(title="Demo sign-ins (http://127.0.0.1:8000/sign-in)")
    for column in ("Portal", "Role", "Organisation"):
        table.add_column(column)
    table.add_column("E-mail", no_wrap=True)
    table.add_column("Password", no_wrap=True)
    for sign_in in network.sign_ins():
        table.add_row(sign_in.portal, sign_in.role, sign_in.organisation, sign_in.email, sign_in.password)
    console = Console()
    if not console.is_terminal:
        console = Console(width=150)  # a log or a pipe: no terminal width to fit into
    console.print(table)


def _describe(url: str) -> str:
    from portal.database import redacted

    return redacted(url)


def main() -> None:
    os.environ.setdefault("PORTAL_ENV", "development")
    cli(prog_name="portal")


if __name__ == "__main__":
    sys.exit(main())
