"""Password hashing with argon2id and the password rules."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from core.errors import InvalidInputError

# OWASP's argon2id minimum (19 MiB, 2 iterations, 1 lane): ~20 ms a hash on this class of machine.
_HASHER = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1)

MIN_LENGTH = 10
MAX_LENGTH = 128

# Verified when an e-mail is unknown, so that answer takes as long as a wrong password.
_DECOY_HASH = _HASHER.hash("decoy password that nobody has")


def hash_password(password: str) -> str:
    return _HASHER.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """Constant work whether or not there is a hash to check."""
    try:
        return _HASHER.verify(password_hash or _DECOY_HASH, password) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return _HASHER.check_needs_rehash(password_hash)


def check_new_password(password: str, *, email: str, field: str = "password") -> None:
    """Long enough, not too long, and not the e-mail address itself."""
    if len(password) < MIN_LENGTH:
        raise InvalidInputError.single(field, "password_too_short", minimum=MIN_LENGTH)
    if len(password) > MAX_LENGTH:
        raise InvalidInputError.single(field, "password_too_long", maximum=MAX_LENGTH)
    if password.strip().lower() in {email.lower(), email.split("@")[0].lower()}:
        raise InvalidInputError.single(field, "password_is_email")
