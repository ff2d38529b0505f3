from uuid import uuid4

import msgspec
import pytest

from channel import schemas
from core.validation import FieldValueError


def _create(**overrides: object) -> bytes:
    body = {
        "supplier_id": str(uuid4()),
        "kind": "store",
        "code": "s-001",
        "name": "Shop",
        "currency": "EUR",
        "locale": "de_DE",
        **overrides,
    }
    return msgspec.json.encode(body)


def test_partner_codes_are_upper_cased() -> None:
    created = msgspec.json.decode(_create(), type=schemas.OrganisationCreate)

    assert created.code == "S-001"


def test_a_body_cannot_smuggle_fields_the_input_does_not_have() -> None:
    with pytest.raises(msgspec.ValidationError, match="unknown field `organisation_id`"):
        msgspec.json.decode(_create(organisation_id=str(uuid4())), type=schemas.OrganisationCreate)


@pytest.mark.parametrize(
    ("field", "value", "code"),
    [
        ("credit_limit", "NaN", "not_finite"),
        ("credit_limit", "1e400", "above_maximum"),
        ("currency", "XXY", "unknown_currency"),
        ("locale", "xx_YY_ZZ", "unknown_locale"),
        ("code", "has space", "bad_code"),
        ("contact_email", "not-an-address", "bad_email"),
        ("country", "de", "bad_country"),
        ("name", "  ", "required"),
    ],
)
def test_bad_partner_fields_are_refused_with_a_reason_code(field: str, value: str, code: str) -> None:
    with pytest.raises(msgspec.ValidationError) as refused:
        msgspec.json.decode(_create(**{field: value}), type=schemas.OrganisationCreate)

    cause = refused.value.__cause__
    assert isinstance(cause, FieldValueError)
    assert (cause.field, cause.code) == (field, code)


def test_an_update_lists_only_the_fields_it_changes() -> None:
    update = msgspec.json.decode(b'{"city": "Lyon", "partner_level": null}', type=schemas.OrganisationUpdate)

    assert update.changes() == {"city": "Lyon", "partner_level": None}


def test_invitation_e_mails_are_normalised() -> None:
    invitation = msgspec.json.decode(
        msgspec.json.encode(
            {
                "organisation_id": str(uuid4()),
                "email": " Ann@Example.COM ",
                "display_name": "Ann",
                "roles": ["clerk"],
            }
        ),
        type=schemas.InvitationCreate,
    )

    assert invitation.email == "ann@example.com"
