"""HTML forms to input Structs: the same Structs and checks as the JSON API, errors per field."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any, TypeVar
from uuid import UUID

import msgspec
from litestar.datastructures import FormMultiDict

from core.errors import ConflictError, InvalidInputError
from portal.errors import field_problems, problem_from_validation
from portal.messages import message

T = TypeVar("T", bound=msgspec.Struct)

_FIELD_IN_MESSAGE = re.compile(r"`\$\.(\w+)`|required field `(\w+)`")


class FormError(Exception):
    """A form could not become its Struct; ``errors`` maps field names to translated messages."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__(errors)
        self.errors = errors


def _nullable_fields(struct_type: type[msgspec.Struct]) -> set[str]:
    info = msgspec.inspect.type_info(struct_type)
    assert isinstance(info, msgspec.inspect.StructType)
    nullable = set()
    for field in info.fields:
        kinds = field.type.types if isinstance(field.type, msgspec.inspect.UnionType) else (field.type,)
        if any(isinstance(k, msgspec.inspect.NoneType) for k in kinds):
            nullable.add(field.name)
    return nullable


def struct_from_form(form: FormMultiDict, struct_type: type[T], *, lists: Iterable[str] = ()) -> T:
    """Build ``struct_type`` from submitted fields: blank nullable fields become ``None``, blank others
    are left out (so defaults apply), ``lists`` take every value of a repeated field."""
    list_fields = set(lists)
    nullable = _nullable_fields(struct_type)
    data: dict[str, Any] = {}
    for name in struct_type.__struct_fields__:
        if name in list_fields:
            data[name] = [v for v in form.getall(name, []) if str(v).strip()]
            continue
        if name not in form:
            continue
        value = form.get(name)
        if not isinstance(value, str):
            continue
        if value.strip() == "":
            if name in nullable:
                data[name] = None
            continue
        data[name] = value
    try:
        return msgspec.convert(data, struct_type, strict=False)
    except msgspec.ValidationError as refused:
        raise FormError(validation_errors(refused)) from None


def validation_errors(refused: msgspec.ValidationError) -> dict[str, str]:
    problem = problem_from_validation(refused)
    if problem is not None:
        return {problem.field: problem.message}
    match = _FIELD_IN_MESSAGE.search(str(refused))
    field = (match.group(1) or match.group(2)) if match else "__all__"
    code = "required" if match and match.group(2) else "invalid_value"
    return {field: message(code)}


def refusal_errors(error: InvalidInputError | ConflictError) -> dict[str, str]:
    """A service's refusal as form errors: per field, or for the whole form (``__all__``)."""
    if isinstance(error, InvalidInputError):
        return {p.field: p.message for p in field_problems(error)}
    return {"__all__": message(error.code, error.params)}


def form_refusal(error: FormError | InvalidInputError | ConflictError) -> tuple[dict[str, str], int]:
    """A refused form's errors and status: 422 for what was typed, 409 for a clash with the data."""
    if isinstance(error, FormError):
        return error.errors, 422
    return refusal_errors(error), 422 if isinstance(error, InvalidInputError) else 409


def refusal_text(error: InvalidInputError | ConflictError | msgspec.ValidationError) -> str:
    """A refusal in one sentence, for a message shown after a redirect."""
    errors = validation_errors(error) if isinstance(error, msgspec.ValidationError) else refusal_errors(error)
    return " ".join(errors.values()) or message("refused")


def uuid_or_none(value: object) -> UUID | None:
    try:
        return UUID(str(value))
    except ValueError:
        return None
