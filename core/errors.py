"""Domain errors: refusals a user can act on.

Each error carries a stable ``code`` and the parameters that fill its message; the portal turns the
code into a sentence in the user's language. Domain code never writes human text.
"""

from __future__ import annotations

from typing import Any

import msgspec


class FieldProblem(msgspec.Struct, frozen=True):
    """One reason one input field was refused."""

    field: str
    code: str
    params: dict[str, Any] = {}


class DomainError(Exception):
    """Base of every refusal raised by a service."""

    default_code = "refused"

    def __init__(self, code: str | None = None, /, **params: Any) -> None:
        self.code = code or self.default_code
        self.params = params
        super().__init__(self.code, params) if params else super().__init__(self.code)


class NotFoundError(DomainError):
    """The object does not exist, or the actor may not know that it does (answered identically)."""

    default_code = "not_found"


class PermissionDeniedError(DomainError):
    """The actor can see the object but their role may not do this to it."""

    default_code = "permission_denied"


class ConflictError(DomainError):
    """The request clashes with the current state (a duplicate, a stale status, a spent budget)."""

    default_code = "conflict"


class InvalidInputError(DomainError):
    """One or more fields were refused; ``problems`` names each field and its reason."""

    default_code = "invalid_input"

    def __init__(self, problems: list[FieldProblem]) -> None:
        super().__init__(self.default_code, problems=[p.field for p in problems])
        self.problems = problems

    @classmethod
    def single(cls, field: str, code: str, /, **params: Any) -> InvalidInputError:
        return cls([FieldProblem(field=field, code=code, params=params)])


class AuthenticationError(DomainError):
    """Sign-in or a token was refused; deliberately says nothing about which part was wrong."""

    default_code = "authentication_failed"
