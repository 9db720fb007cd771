"""What each role may do, in one place (issue 4, point 1; product.md "who uses it").

The rules are pure functions over *grants* (a membership reduced to its role and unit scope) and
the organisation's unit tree (unit id -> parent id); :class:`Access` binds them to one user and one
organisation, loaded with two queries. Views, exports, dashboards and the CLI ask ``Access.can``;
nothing else decides who may see what. (Whether a *group* is large enough to be shown is the
anonymity core's question, asked after this one.)

Scopes. Organisation admin, HR/HSE, occupational health and researcher act for the whole
organisation. A manager acts for the units they manage and every unit below them. A safety
representative acts for their safety area (units, with everything below) or, without units, for
the whole organisation (main safety representative). A Django superuser (the operator of the
installation) counts as organisation admin of every organisation.

======================  =========  ==  =======  ==========  ===================  ==========
permission              org_admin  hr  manager  safety_rep  occupational_health  researcher
======================  =========  ==  =======  ==========  ===================  ==========
view_org_dashboard      yes        yes -        whole org   yes                  -
view_unit_dashboard     yes        yes scope    scope       yes                  -
export_data             yes        yes -        -           -                    yes
view_action_plan        yes        yes scope    scope       yes                  -
edit_action_plan        yes        yes scope    -           -                    -
comment_action_plan     yes        yes scope    scope       yes                  -
manage_waves            yes        yes -        -           -                    -
view_hidden             yes        yes -        -           -                    -
manage_members          yes        -   -        -           -                    -
======================  =========  ==  =======  ==========  ===================  ==========

Organisation-level permissions (``ORG_LEVEL``) need a whole-organisation scope. Actions for the
organisation as a whole (unit ``None``) can be viewed and commented on by anyone who may view or
comment on any part of the plan, but edited only with a whole-organisation scope.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Final

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest

from homeoffice.web.accounts.models import UNIT_ROLES, Membership, Role
from homeoffice.web.organisations.models import Organisation, Unit


class Perm(StrEnum):
    VIEW_ORG_DASHBOARD = "view_org_dashboard"
    VIEW_UNIT_DASHBOARD = "view_unit_dashboard"
    EXPORT_DATA = "export_data"
    VIEW_ACTION_PLAN = "view_action_plan"
    EDIT_ACTION_PLAN = "edit_action_plan"
    COMMENT_ACTION_PLAN = "comment_action_plan"
    MANAGE_WAVES = "manage_waves"
    VIEW_HIDDEN = "view_hidden"
    MANAGE_MEMBERS = "manage_members"


_READ_COMMENT = frozenset({Perm.VIEW_UNIT_DASHBOARD, Perm.VIEW_ACTION_PLAN, Perm.COMMENT_ACTION_PLAN})

ROLE_PERMS: Final[Mapping[str, frozenset[Perm]]] = {
    Role.ORG_ADMIN: frozenset(Perm),
    Role.HR: frozenset(Perm) - {Perm.MANAGE_MEMBERS},
    Role.MANAGER: _READ_COMMENT | {Perm.EDIT_ACTION_PLAN},
    Role.SAFETY_REP: _READ_COMMENT | {Perm.VIEW_ORG_DASHBOARD},
    Role.OCCUPATIONAL_HEALTH: _READ_COMMENT | {Perm.VIEW_ORG_DASHBOARD},
    Role.RESEARCHER: frozenset({Perm.EXPORT_DATA}),
}

ORG_LEVEL: Final = frozenset(
    {Perm.VIEW_ORG_DASHBOARD, Perm.EXPORT_DATA, Perm.MANAGE_WAVES, Perm.VIEW_HIDDEN, Perm.MANAGE_MEMBERS}
)
"""Permissions about the organisation as a whole: they need a whole-organisation scope."""

OPEN_FOR_WHOLE_ORG: Final = frozenset({Perm.VIEW_ACTION_PLAN, Perm.COMMENT_ACTION_PLAN})
"""Unit permissions that a unit scope also gives for things of the whole organisation (unit ``None``)."""


class _Anywhere:
    def __repr__(self) -> str:
        return "ANYWHERE"


ANYWHERE: Final = _Anywhere()
"""Subject meaning "for at least some part of the organisation" (used to show a link or a menu)."""

Subject = int | None | _Anywhere


@dataclass(frozen=True)
class Grant:
    """A membership as the rules see it: a role, and its units (``None``: the whole organisation)."""

    role: str
    units: frozenset[int] | None = None


def grant_of(role: str, unit_ids: Iterable[int] = ()) -> Grant:
    """The grant of a membership: unit roles keep their units (a safety rep without units: whole org)."""
    units = frozenset(unit_ids)
    if role in UNIT_ROLES and (units or role == Role.MANAGER):
        return Grant(role, units)
    return Grant(role, None)


def ancestors(unit_id: int, parents: Mapping[int, int | None]) -> list[int]:
    """The unit and every unit above it, bottom up (a cycle in bad data stops the walk)."""
    chain: list[int] = []
    node: int | None = unit_id
    while node is not None and node in parents and node not in chain:
        chain.append(node)
        node = parents[node]
    return chain


def subtree(roots: Iterable[int], parents: Mapping[int, int | None]) -> frozenset[int]:
    """The roots and every unit below them, among the units of ``parents``."""
    wanted = frozenset(roots)
    return frozenset(u for u in parents if any(a in wanted for a in ancestors(u, parents)))


def allowed(grants: Iterable[Grant], perm: Perm, parents: Mapping[int, int | None], unit: Subject = ANYWHERE) -> bool:
    """Whether the grants give ``perm`` for ``unit`` (an id of ``parents``, ``None`` or ``ANYWHERE``).

    ``parents`` maps every unit of the organisation to its parent; a unit outside it is never allowed.
    """
    if isinstance(unit, int) and unit not in parents:
        return False
    for grant in grants:
        if perm not in ROLE_PERMS.get(grant.role, ()):
            continue
        if grant.units is None:
            return True
        own = grant.units & parents.keys()
        if perm in ORG_LEVEL or not own:
            continue
        if unit is ANYWHERE or (unit is None and perm in OPEN_FOR_WHOLE_ORG):
            return True
        if isinstance(unit, int) and any(a in own for a in ancestors(unit, parents)):
            return True
    return False


def allowed_units(grants: Iterable[Grant], perm: Perm, parents: Mapping[int, int | None]) -> frozenset[int]:
    """The ids of the units for which the grants give ``perm`` (empty for organisation-level permissions)."""
    if perm in ORG_LEVEL:
        return frozenset()
    roots: set[int] = set()
    for grant in grants:
        if perm not in ROLE_PERMS.get(grant.role, ()):
            continue
        if grant.units is None:
            return frozenset(parents)
        roots |= grant.units
    return subtree(roots, parents)


# --- bound to a user and an organisation ------------------------------------------------------


@dataclass(frozen=True)
class Access:
    """What one user may do in one organisation."""

    organisation: Organisation
    grants: tuple[Grant, ...]
    parents: Mapping[int, int | None] = field(repr=False)

    @property
    def roles(self) -> list[str]:
        """The user's roles here, in the order of :class:`Role`."""
        have = {g.role for g in self.grants}
        return [r.value for r in Role if r in have]

    @property
    def is_member(self) -> bool:
        return bool(self.grants)

    def can(self, perm: Perm, unit: Unit | int | _Anywhere | None = ANYWHERE) -> bool:
        """``perm`` for a unit (a Unit or its id), for the whole organisation (``None``) or anywhere."""
        subject = unit.pk if isinstance(unit, Unit) else unit
        return allowed(self.grants, perm, self.parents, subject)

    def require(self, perm: Perm, unit: Unit | int | _Anywhere | None = ANYWHERE) -> None:
        """Raise ``PermissionDenied`` unless :meth:`can`; the staff views turn it into the 403 page."""
        if not self.can(perm, unit):
            raise PermissionDenied(perm)

    def unit_ids(self, perm: Perm = Perm.VIEW_UNIT_DASHBOARD) -> frozenset[int]:
        """The ids of the units for which the user has ``perm``."""
        return allowed_units(self.grants, perm, self.parents)

    def units(self, perm: Perm = Perm.VIEW_UNIT_DASHBOARD) -> QuerySet[Unit]:
        return Unit.objects.filter(pk__in=self.unit_ids(perm))

    def scope_unit_ids(self) -> frozenset[int] | None:
        """The roots of the user's unit scope; ``None`` when some role covers the whole organisation."""
        roots: set[int] = set()
        for grant in self.grants:
            if grant.units is None:
                return None
            roots |= grant.units
        return frozenset(roots)


def _grants(user: object, organisation_id: int) -> tuple[Grant, ...]:
    if not getattr(user, "is_authenticated", False) or not getattr(user, "is_active", False):
        return ()
    rows = Membership.objects.filter(user=user, organisation_id=organisation_id).prefetch_related("units")
    grants = [grant_of(m.role, (u.pk for u in m.units.all())) for m in rows]
    if user.is_superuser:
        grants.append(Grant(Role.ORG_ADMIN, None))
    return tuple(dict.fromkeys(grants))


def load_access(user: object, organisation: Organisation) -> Access:
    """The user's access to ``organisation`` (three small queries)."""
    grants = _grants(user, organisation.pk)
    parents = dict(Unit.objects.filter(organisation=organisation).values_list("pk", "parent_id")) if grants else {}
    return Access(organisation=organisation, grants=grants, parents=parents)


def access_for(request: HttpRequest, organisation: Organisation) -> Access:
    """:func:`load_access` for the request's user, computed once per request and organisation."""
    cache = request.__dict__.setdefault("_homeoffice_access", {})
    if organisation.pk not in cache:
        cache[organisation.pk] = load_access(request.user, organisation)
    return cache[organisation.pk]


def visible_units(user: object, organisation: Organisation) -> QuerySet[Unit]:
    """The units whose dashboards the user may open (their scope and every unit below it)."""
    return load_access(user, organisation).units(Perm.VIEW_UNIT_DASHBOARD)


def organisations_of(user: object) -> list[Organisation]:
    """The organisations where the user holds a role (every organisation for a superuser)."""
    if not getattr(user, "is_authenticated", False):
        return []
    if user.is_superuser:
        return list(Organisation.objects.all())
    return list(Organisation.objects.filter(memberships__user=user).distinct())


def organisations_where(user: object, perm: Perm) -> list[Organisation]:
    """The organisations where the user has ``perm`` somewhere (all of them for a superuser)."""
    if getattr(user, "is_superuser", False) and getattr(user, "is_active", False):
        return list(Organisation.objects.all())
    return [org for org in organisations_of(user) if load_access(user, org).can(perm)]
