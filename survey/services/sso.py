"""Single sign-on use cases: a provider's claims -> a role, and the staff account (made just in time).

Flask-free: the web layer (:mod:`survey.web.oidc`) validates the ID token and passes its claims here.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import sqlite_utils

from survey.errors import RapportError
from survey.store.staff import ROLES, StaffUser, create_sso_staff_user, find_sso_staff_user, set_staff_role

#: When claim values map to several roles, the first of these wins.
ROLE_PRECEDENCE = ("admin", "brm", "culture_lead")


class NoMappedRole(RapportError, PermissionError):
    """The provider vouched for the person, but none of their groups maps to a Rapport role."""


class AccountDeactivated(RapportError, PermissionError):
    """The person's Rapport account was deactivated by an admin."""


@dataclass(frozen=True)
class ProviderIdentity:
    """Who the provider says signed in: ``issuer|sub``, a display username and their role."""

    subject: str
    username: str
    role: str


def claim_values(claims: Mapping[str, Any], path: str) -> list[str]:
    """The values of claim ``path`` (dotted for nested objects, e.g. ``realm_access.roles``) as
    strings; a single string counts as one value, anything missing as none."""
    value: Any = claims
    for part in path.split("."):
        if not isinstance(value, Mapping) or part not in value:
            return []
        value = value[part]
    if isinstance(value, str):
        return [value]
    if isinstance(value, Sequence):
        return [str(item) for item in value if isinstance(item, str | int)]
    return []


def role_from_claims(claims: Mapping[str, Any], claim: str, role_map: Mapping[str, str]) -> str | None:
    """The strongest role (:data:`ROLE_PRECEDENCE`) any value of ``claim`` maps to, else ``None``."""
    roles = {role_map[value] for value in claim_values(claims, claim) if value in role_map}
    return next((role for role in ROLE_PRECEDENCE if role in roles and role in ROLES), None)


def identity_from_claims(claims: Mapping[str, Any], *, issuer: str, role_claim: str,
                         role_map: Mapping[str, str], username_claim: str) -> ProviderIdentity:
    """The identity behind validated claims; raises :class:`NoMappedRole` when no group maps."""
    username = next((str(claims[key]) for key in (username_claim, "email", "sub")
                     if isinstance(claims.get(key), str) and claims[key].strip()), "")
    role = role_from_claims(claims, role_claim, role_map)
    if role is None:
        raise NoMappedRole(
            f"You signed in at the provider as {username!r}, but none of your groups (claim "
            f"{role_claim!r}) gives access to Rapport. Ask your IT administrator to add you to one "
            "of the groups for BRMs, culture leads or admins, then sign in again.")
    return ProviderIdentity(subject=f"{issuer}|{claims['sub']}", username=username, role=role)


def sign_in_provider_identity(db: sqlite_utils.Database, identity: ProviderIdentity) -> StaffUser:
    """The account for ``identity``: made at the first sign-on, its role kept in step with the
    provider's groups at every one; raises :class:`AccountDeactivated` for a deactivated account."""
    user = find_sso_staff_user(db, identity.subject)
    if user is None:
        return create_sso_staff_user(db, identity.username, identity.role, identity.subject)
    if not user.active:
        raise AccountDeactivated(
            f"The Rapport account {user.username!r} was deactivated by an admin. Ask an admin to "
            "reactivate it.")
    return set_staff_role(db, user.id, identity.role) if user.role != identity.role else user
