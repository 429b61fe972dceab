"""Sharing in the Planning tenant: the members of each resource and their roles,
a record type's inheritance setting, a record's wildcard access mode and the
pending access requests (static/v2.json, the ``/v2/permissions`` operations and
their schemas ``MemberPermissionDto``, ``InheritanceDto``,
``UpdateMembersRequestDto``, ``AccessRequestDto``).

State and semantics only; the v2 handlers parse the requests. A resource is
``(resource_type, resource_id)`` with ``resource_type`` one of
``RESOURCE_TYPES``. Where Adobe is silent the emulator chooses, and says so:

* A workspace starts with its creator as its one ``manager``; record types,
  records and views start with no explicit members (they inherit).
* The caller of the emulator (the tenant's administrator) may do anything
  with an existing resource; nothing with one that does not exist (its
  effective permissions are all false, managing it is a 403).
* ``grant`` of a subject that already has a role sets the role, as ``update``
  does; ``update`` or ``revoke`` of a subject without one is a 400.
* One access request per user and resource: asking again updates its message
  and keeps its ID. Dismissing an ID that is not pending changes nothing.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence

import attrs

from ._errors import PlanningError, bad

__all__ = ["RESOURCE_TYPES", "ROLES", "SUBJECT_TYPES", "AccessRequest", "Member", "Sharing"]

# "Type of resource (workspaces, record-types, records, views)"
RESOURCE_TYPES = ("workspaces", "record-types", "records", "views")
SUBJECT_TYPES = ("user", "group", "team", "role", "company")
ROLES = ("viewer", "editor", "manager")

Resource = tuple[str, str]


@attrs.frozen
class Member:
    subject_id: str
    subject_type: str
    role: str


@attrs.frozen
class AccessRequest:
    id: str
    requester_id: str
    message: str


@attrs.define
class Sharing:
    """The sharing state of one Planning tenant."""

    members: dict[Resource, list[Member]] = attrs.field(factory=dict)
    inherited: dict[str, bool] = attrs.field(factory=dict)  # record type ID -> inherited
    wildcard: dict[str, str] = attrs.field(factory=dict)  # record ID -> access mode
    requests: dict[Resource, list[AccessRequest]] = attrs.field(factory=dict)
    _ids: itertools.count[int] = attrs.field(factory=lambda: itertools.count(1))

    def members_of(self, resource: Resource) -> list[Member]:
        return list(self.members.get(resource, ()))

    def add_owner(self, resource: Resource, user_id: str) -> None:
        """Make ``user_id`` the manager of a new resource."""
        self.members[resource] = [Member(user_id, "user", "manager")]

    def forget(self, resource: Resource) -> None:
        """Drop what is known about a deleted resource."""
        self.members.pop(resource, None)
        self.requests.pop(resource, None)
        if resource[0] == "record-types":
            self.inherited.pop(resource[1], None)
        if resource[0] == "records":
            self.wildcard.pop(resource[1], None)

    def update_members(
        self,
        resource: Resource,
        *,
        grant: Sequence[Member] = (),
        update: Sequence[Member] = (),
        revoke: Sequence[tuple[str, str]] = (),
        inherit: bool | None = None,
        wildcard: str | None = None,
    ) -> None:
        """Apply one ``updateMembers`` request, all of it or none of it."""
        kind, ident = resource
        if inherit is not None and kind != "record-types":
            raise _only("inheritViewOnly", "record-types")
        if wildcard is not None and kind != "records":
            raise _only("wildcard", "records")
        members = {(m.subject_id, m.subject_type): m for m in self.members.get(resource, ())}
        for member in update:
            if (member.subject_id, member.subject_type) not in members:
                raise bad(
                    f"{member.subject_type} {member.subject_id!r} has no role on this "
                    "resource to update; grant one instead.",
                    fieldId="update",
                )
        for key in revoke:
            if key not in members:
                raise bad(
                    f"{key[1]} {key[0]!r} has no role on this resource to revoke.",
                    fieldId="revoke",
                )
        for member in (*grant, *update):
            members[(member.subject_id, member.subject_type)] = member
        for key in revoke:
            del members[key]
        self.members[resource] = list(members.values())
        if inherit is not None:
            self.inherited[ident] = inherit
        if wildcard is not None:
            self.wildcard[ident] = wildcard

    def is_inherited(self, record_type_id: str) -> bool:
        return self.inherited.get(record_type_id, True)

    def pending(self, resource: Resource) -> list[AccessRequest]:
        return list(self.requests.get(resource, ()))

    def request_access(self, resource: Resource, user_id: str, message: str) -> AccessRequest:
        """Create the user's access request, or update its message."""
        pending = self.requests.setdefault(resource, [])
        for i, made in enumerate(pending):
            if made.requester_id == user_id:
                pending[i] = attrs.evolve(made, message=message)
                return pending[i]
        made = AccessRequest(f"AR{next(self._ids):010d}", user_id, message)
        pending.append(made)
        return made

    def dismiss(self, resource: Resource, request_ids: Sequence[str]) -> None:
        gone = set(request_ids)
        self.requests[resource] = [r for r in self.requests.get(resource, ()) if r.id not in gone]


def _only(name: str, kind: str) -> PlanningError:
    return bad(f"{name!r} is only valid for {kind}.", fieldId=name)
