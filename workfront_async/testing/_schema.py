"""The object types the embedded Workfront knows: fields, references, collections.

Pure data. Field types: ``id`` (an object ID, text), ``str``, ``int``, ``float``,
``date`` (stored as sortable UTC text) and ``bool``.
"""

from __future__ import annotations

from collections.abc import Mapping

import attrs

__all__ = ["OBJ_TYPES", "ObjType", "resolve_obj_code"]

_STAMPS = {"entryDate": "date", "lastUpdateDate": "date"}


@attrs.frozen
class ObjType:
    code: str
    aliases: tuple[str, ...]
    fields: Mapping[str, str]
    refs: Mapping[str, tuple[str, str]]  # name -> (ID field, target objCode)
    collections: Mapping[str, tuple[str, str]]  # name -> (child objCode, child FK field)
    defaults: tuple[str, ...]
    tracked: tuple[str, ...] = ()
    required: tuple[str, ...] = ()

    def field_ci(self, name: str) -> str | None:
        """The canonical spelling of a field, reference or collection name."""
        for pool in (self.fields, self.refs, self.collections):
            if name in pool:
                return name
        low = name.lower()
        for pool in (self.fields, self.refs, self.collections):
            for key in pool:
                if key.lower() == low:
                    return key
        return None


def _t(
    code: str,
    aliases: tuple[str, ...],
    fields: dict[str, str],
    refs: dict[str, tuple[str, str]] | None = None,
    collections: dict[str, tuple[str, str]] | None = None,
    defaults: tuple[str, ...] = ("ID", "name"),
    tracked: tuple[str, ...] = (),
    required: tuple[str, ...] = (),
    stamps: bool = True,
) -> ObjType:
    all_fields = {"ID": "id", **fields, **(_STAMPS if stamps else {})}
    return ObjType(
        code=code,
        aliases=aliases,
        fields=all_fields,
        refs=refs or {},
        collections=collections or {},
        defaults=defaults,
        tracked=tracked,
        required=required,
    )


_WORK_TRACKED = ("name", "status", "assignedToID", "plannedCompletionDate", "percentComplete")

OBJ_TYPES: dict[str, ObjType] = {
    t.code: t
    for t in (
        _t(
            "USER",
            ("user",),
            {
                "name": "str",
                "firstName": "str",
                "lastName": "str",
                "username": "str",
                "emailAddr": "str",
                "title": "str",
                "phoneNumber": "str",
                "isAdmin": "bool",
                "isActive": "bool",
                "homeGroupID": "id",
                "homeTeamID": "id",
                "roleID": "id",
                "managerID": "id",
            },
            refs={
                "homeGroup": ("homeGroupID", "GROUP"),
                "homeTeam": ("homeTeamID", "TEAMOB"),
                "role": ("roleID", "ROLE"),
                "manager": ("managerID", "USER"),
            },
            collections={
                "assignments": ("ASSGN", "assignedToID"),
                "hours": ("HOUR", "ownerID"),
                "directReports": ("USER", "managerID"),
            },
            defaults=("ID", "name", "emailAddr"),
            tracked=("name", "title", "isActive", "homeTeamID"),
            required=("name",),
        ),
        _t(
            "ROLE",
            ("role",),
            {"name": "str", "description": "str"},
            required=("name",),
        ),
        _t(
            "GROUP",
            ("group",),
            {"name": "str", "description": "str", "parentID": "id"},
            refs={"parent": ("parentID", "GROUP")},
            collections={"children": ("GROUP", "parentID")},
            required=("name",),
        ),
        _t(
            "TEAMOB",
            ("team",),
            {"name": "str", "description": "str", "ownerID": "id"},
            refs={"owner": ("ownerID", "USER")},
            collections={"users": ("USER", "homeTeamID")},
            required=("name",),
        ),
        _t(
            "PORT",
            ("portfolio",),
            {
                "name": "str",
                "description": "str",
                "ownerID": "id",
                "isActive": "bool",
                "budget": "float",
            },
            refs={"owner": ("ownerID", "USER")},
            collections={
                "programs": ("PRGM", "portfolioID"),
                "projects": ("PROJ", "portfolioID"),
                "accessRules": ("ACSRUL", "securityObjID"),
                "documents": ("DOCU", "objID"),
            },
            tracked=("name", "ownerID"),
            required=("name",),
        ),
        _t(
            "PRGM",
            ("program",),
            {
                "name": "str",
                "description": "str",
                "portfolioID": "id",
                "ownerID": "id",
                "isActive": "bool",
            },
            refs={"portfolio": ("portfolioID", "PORT"), "owner": ("ownerID", "USER")},
            collections={
                "projects": ("PROJ", "programID"),
                "accessRules": ("ACSRUL", "securityObjID"),
            },
            tracked=("name", "ownerID", "portfolioID"),
            required=("name",),
        ),
        _t(
            "PROJ",
            ("project",),
            {
                "name": "str",
                "description": "str",
                "status": "str",
                "priority": "int",
                "condition": "str",
                "percentComplete": "float",
                "plannedStartDate": "date",
                "plannedCompletionDate": "date",
                "actualStartDate": "date",
                "actualCompletionDate": "date",
                "ownerID": "id",
                "sponsorID": "id",
                "portfolioID": "id",
                "programID": "id",
                "groupID": "id",
                "budget": "float",
                "actualCost": "float",
                "referenceNumber": "int",
                "enteredByID": "id",
                "lastUpdatedByID": "id",
            },
            refs={
                "owner": ("ownerID", "USER"),
                "sponsor": ("sponsorID", "USER"),
                "portfolio": ("portfolioID", "PORT"),
                "program": ("programID", "PRGM"),
                "group": ("groupID", "GROUP"),
                "enteredBy": ("enteredByID", "USER"),
                "lastUpdatedBy": ("lastUpdatedByID", "USER"),
            },
            collections={
                "tasks": ("TASK", "projectID"),
                "issues": ("OPTASK", "projectID"),
                "hours": ("HOUR", "projectID"),
                "assignments": ("ASSGN", "projectID"),
                "documents": ("DOCU", "objID"),
                "accessRules": ("ACSRUL", "securityObjID"),
            },
            defaults=(
                "ID",
                "name",
                "percentComplete",
                "plannedCompletionDate",
                "plannedStartDate",
                "priority",
                "status",
            ),
            tracked=("name", "status", "ownerID", "plannedCompletionDate", "percentComplete"),
            required=("name",),
        ),
        _t(
            "TASK",
            ("task",),
            {
                "name": "str",
                "description": "str",
                "status": "str",
                "priority": "int",
                "percentComplete": "float",
                "plannedStartDate": "date",
                "plannedCompletionDate": "date",
                "actualStartDate": "date",
                "actualCompletionDate": "date",
                "projectID": "id",
                "portfolioID": "id",
                "parentID": "id",
                "assignedToID": "id",
                "roleID": "id",
                "workRequired": "float",
                "duration": "float",
                "taskNumber": "int",
                "approvalStatus": "str",
                "enteredByID": "id",
                "lastUpdatedByID": "id",
            },
            refs={
                "project": ("projectID", "PROJ"),
                "portfolio": ("portfolioID", "PORT"),
                "parent": ("parentID", "TASK"),
                "assignedTo": ("assignedToID", "USER"),
                "role": ("roleID", "ROLE"),
                "enteredBy": ("enteredByID", "USER"),
                "lastUpdatedBy": ("lastUpdatedByID", "USER"),
            },
            collections={
                "children": ("TASK", "parentID"),
                "assignments": ("ASSGN", "taskID"),
                "hours": ("HOUR", "taskID"),
                "documents": ("DOCU", "objID"),
                "accessRules": ("ACSRUL", "securityObjID"),
            },
            defaults=(
                "ID",
                "name",
                "percentComplete",
                "plannedCompletionDate",
                "plannedStartDate",
                "priority",
                "status",
            ),
            tracked=(*_WORK_TRACKED, "projectID", "parentID"),
            required=("name", "projectID"),
        ),
        _t(
            "OPTASK",
            ("issue", "optask"),
            {
                "name": "str",
                "description": "str",
                "status": "str",
                "priority": "int",
                "severity": "str",
                "opTaskType": "str",
                "percentComplete": "float",
                "plannedCompletionDate": "date",
                "projectID": "id",
                "assignedToID": "id",
                "approvalStatus": "str",
                "enteredByID": "id",
                "lastUpdatedByID": "id",
            },
            refs={
                "project": ("projectID", "PROJ"),
                "assignedTo": ("assignedToID", "USER"),
                "enteredBy": ("enteredByID", "USER"),
                "lastUpdatedBy": ("lastUpdatedByID", "USER"),
            },
            collections={
                "assignments": ("ASSGN", "opTaskID"),
                "hours": ("HOUR", "opTaskID"),
                "documents": ("DOCU", "objID"),
                "accessRules": ("ACSRUL", "securityObjID"),
            },
            defaults=("ID", "name", "plannedCompletionDate", "priority", "status"),
            tracked=_WORK_TRACKED,
            required=("name", "projectID"),
        ),
        _t(
            "ASSGN",
            ("assignment",),
            {
                "taskID": "id",
                "opTaskID": "id",
                "projectID": "id",
                "assignedToID": "id",
                "roleID": "id",
                "workRequired": "float",
                "status": "str",
                "isPrimary": "bool",
            },
            refs={
                "task": ("taskID", "TASK"),
                "opTask": ("opTaskID", "OPTASK"),
                "project": ("projectID", "PROJ"),
                "assignedTo": ("assignedToID", "USER"),
                "role": ("roleID", "ROLE"),
            },
            defaults=("ID", "assignedToID", "status", "workRequired"),
        ),
        _t(
            "HOUR",
            ("hour",),
            {
                "hours": "float",
                "taskID": "id",
                "opTaskID": "id",
                "projectID": "id",
                "ownerID": "id",
                "status": "str",
                "description": "str",
            },
            refs={
                "task": ("taskID", "TASK"),
                "opTask": ("opTaskID", "OPTASK"),
                "project": ("projectID", "PROJ"),
                "owner": ("ownerID", "USER"),
            },
            defaults=("ID", "entryDate", "hours", "status"),
            required=("hours",),
        ),
        _t(
            "JRNLE",
            ("journalentry",),
            {
                "objObjCode": "str",
                "objID": "id",
                "fieldName": "str",
                "changeType": "str",
                "oldTextVal": "str",
                "newTextVal": "str",
                "oldNumberVal": "float",
                "newNumberVal": "float",
                "oldDateVal": "date",
                "newDateVal": "date",
                "editedByID": "id",
            },
            refs={"editedBy": ("editedByID", "USER")},
            defaults=("ID", "changeType", "entryDate", "fieldName", "objID", "objObjCode"),
        ),
        _t(
            "DOCU",
            ("document",),
            {
                "name": "str",
                "description": "str",
                "docObjCode": "str",
                "objID": "id",
                "ownerID": "id",
                "currentVersionID": "id",
            },
            refs={"owner": ("ownerID", "USER"), "currentVersion": ("currentVersionID", "DOCV")},
            collections={
                "versions": ("DOCV", "documentID"),
                "accessRules": ("ACSRUL", "securityObjID"),
            },
            defaults=("ID", "name", "docObjCode", "objID"),
            tracked=("name",),
            required=("name",),
        ),
        _t(
            "DOCV",
            ("documentversion",),
            {
                "documentID": "id",
                "version": "str",
                "fileName": "str",
                "fileSize": "int",
                "handle": "str",
            },
            refs={"document": ("documentID", "DOCU")},
            defaults=("ID", "version", "fileName"),
        ),
        _t(
            "ACSRUL",
            ("accessrule",),
            {
                "accessorID": "id",
                "accessorObjCode": "str",
                "coreAction": "str",
                "securityObjCode": "str",
                "securityObjID": "id",
            },
            defaults=("ID", "accessorID", "accessorObjCode", "coreAction"),
        ),
        _t(
            "WORKITEM",
            ("workitem",),
            {
                "userID": "id",
                "objObjCode": "str",
                "objID": "id",
                "isMarkedAsViewed": "bool",
                "lastViewedDate": "date",
            },
            refs={"user": ("userID", "USER")},
            defaults=("ID", "objObjCode", "objID", "isMarkedAsViewed"),
        ),
    )
}

_BY_NAME: dict[str, str] = {}
for _code, _type in OBJ_TYPES.items():
    _BY_NAME[_code.lower()] = _code
    for _alias in _type.aliases:
        _BY_NAME[_alias.lower()] = _code


def resolve_obj_code(name: str) -> str | None:
    """The ObjCode for a short or long, case-insensitive object type name."""
    return _BY_NAME.get(name.lower())
