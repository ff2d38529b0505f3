"""Settings from the environment. Secrets come from the environment only, never from the code."""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Literal

import msgspec

from piccolo_conf import DATABASE_URL, PROJECT_ROOT

Environment = Literal["development", "production", "test"]


class SettingsError(ValueError):
    """The environment describes a configuration the portal refuses to start with."""


class Settings(msgspec.Struct, frozen=True):
    environment: Environment = "development"
    database_url: str = DATABASE_URL
    secret_key: str = ""
    base_url: str = "http://127.0.0.1:8000"
    redis_url: str | None = None
    # Sessions end after this long without a request, and this long after sign-in whatever happens.
    session_idle_minutes: int = 120
    session_absolute_hours: int = 12
    # Sign-in attempts per client address per minute, and failures per e-mail per quarter hour.
    sign_in_attempts_per_minute: int = 10
    sign_in_failures_per_account: int = 8
    display_timezone: str = "UTC"
    max_request_body_bytes: int = 10 * 1024 * 1024
    # Scheduled jobs (lead deadlines ...) run in the server process; tests drive them directly.
    run_jobs: bool = True
    # A quote whose manual discount passes this percent needs a channel manager's approval.
    quote_approval_percent: int = 10
    # PDF rendering: worker processes, seconds a document may take, address space per worker.
    # One core is left to the server: on two cores one worker renders and the others wait their turn.
    document_workers: int = max(1, (os.cpu_count() or 2) - 1)
    document_timeout_seconds: int = 30
    document_memory_mib: int = 1536
    # E-mail copies of notifications; none without a host.
    smtp_host: str = ""
    smtp_port: int = 25
    smtp_from: str = "Channel Portal <portal@localhost>"
    smtp_user: str = ""
    smtp_password: str = ""
    smtp_starttls: bool = False
    # Stock and sell-out uploads: bytes and rows per file (the request body limit caps bytes too).
    report_upload_max_bytes: int = 8 * 1024 * 1024
    report_upload_max_rows: int = 100_000

    @property
    def is_production(self) -> bool:
        return self.environment == "production"

    @property
    def secure_cookies(self) -> bool:
        """``Secure`` cookies with ``__Host-`` names everywhere but on a developer's plain-HTTP machine."""
        return self.environment == "production"

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> Settings:
        env = dict(os.environ if env is None else env)
        environment = env.get("PORTAL_ENV", "development")
        if environment not in ("development", "production", "test"):
            raise SettingsError(f"PORTAL_ENV must be development, production or test, not {environment!r}")
        secret = env.get("PORTAL_SECRET_KEY", "")
        if not secret:
            if environment == "production":
                raise SettingsError("PORTAL_SECRET_KEY must be set in production (at least 32 characters)")
            secret = _development_secret() if environment == "development" else secrets.token_urlsafe(32)
        if len(secret) < 32:
            raise SettingsError("PORTAL_SECRET_KEY must be at least 32 characters")

        def integer(name: str, default: int) -> int:
            raw = env.get(name)
            if raw is None or raw == "":
                return default
            try:
                value = int(raw)
            except ValueError:
                raise SettingsError(f"{name} must be a whole number, not {raw!r}") from None
            if value < 1:
                raise SettingsError(f"{name} must be at least 1")
            return value

        return cls(
            environment=environment,  # type: ignore[arg-type]
            database_url=env.get("DATABASE_URL") or DATABASE_URL,
            secret_key=secret,
            base_url=env.get("PORTAL_BASE_URL", "http://127.0.0.1:8000").rstrip("/"),
            redis_url=env.get("PORTAL_REDIS_URL") or None,
            session_idle_minutes=integer("PORTAL_SESSION_IDLE_MINUTES", 120),
            session_absolute_hours=integer("PORTAL_SESSION_ABSOLUTE_HOURS", 12),
            sign_in_attempts_per_minute=integer("PORTAL_SIGN_IN_ATTEMPTS_PER_MINUTE", 10),
            sign_in_failures_per_account=integer("PORTAL_SIGN_IN_FAILURES_PER_ACCOUNT", 8),
            display_timezone=env.get("PORTAL_TIMEZONE", "UTC"),
            quote_approval_percent=integer("PORTAL_QUOTE_APPROVAL_PERCENT", 10),
            document_workers=integer("PORTAL_DOCUMENT_WORKERS", max(1, (os.cpu_count() or 2) - 1)),
            document_timeout_seconds=integer("PORTAL_DOCUMENT_TIMEOUT_SECONDS", 30),
            document_memory_mib=integer("PORTAL_DOCUMENT_MEMORY_MIB", 1536),
            smtp_host=env.get("PORTAL_SMTP_HOST", ""),
            smtp_port=integer("PORTAL_SMTP_PORT", 25),
            smtp_from=env.get("PORTAL_SMTP_FROM", "Channel Portal <portal@localhost>"),
            smtp_user=env.get("PORTAL_SMTP_USER", ""),
            smtp_password=env.get("PORTAL_SMTP_PASSWORD", ""),
            smtp_starttls=env.get("PORTAL_SMTP_STARTTLS", "0") in ("1", "true", "yes"),
            report_upload_max_bytes=integer("PORTAL_REPORT_UPLOAD_MAX_BYTES", 8 * 1024 * 1024),
            report_upload_max_rows=integer("PORTAL_REPORT_UPLOAD_MAX_ROWS", 100_000),
            run_jobs=env.get("PORTAL_RUN_JOBS", "1" if environment != "test" else "0")
            not in ("0", "false", "no"),
        )


def _development_secret() -> str:
    """A per-checkout key kept in ``var/``, so restarting the development server keeps forms valid."""
    path = Path(PROJECT_ROOT) / "var" / "development-secret-key"
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists():
        path.write_text(secrets.token_urlsafe(48))
        path.chmod(0o600)
    return path.read_text().strip()
