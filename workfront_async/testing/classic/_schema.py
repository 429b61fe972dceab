"""The object types the embedded Workfront knows: one declarative table.

Pure data. Each row names an object type (ObjCode, Workfront's class name and label),
its fields with their kinds, references, collections, default field set, required
fields, values set on create and actions. Storage (one SQLite column per field),
``/metadata`` answers, the default fields of every answer and the defaults on
create are all read from this table: adding an object type is adding a row.

Field kinds (storage kind -> Workfront ``fieldType``, docs/api-notes.md §4 "Metadata"):
``id`` and ``str`` -> ``string``; ``int`` -> ``int``; ``float`` -> ``double``;
``money`` -> ``double`` flagged ``CURRENCY``; ``date`` -> ``dateTime`` (stored as
sortable UTC text); ``bool`` -> ``boolean``; ``enum:<Name>`` -> ``string`` with
``enumType`` ``com.attask.common.constants.<Name>``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import attrs

__all__ = [
    "CUSTOM_FIELD_TYPES",
    "OBJ_TYPES",
    "FieldMeta",
    "ObjType",
    "field_label",
    "resolve_obj_code",
]

_STAMPS = {"entryDate": "date", "lastUpdateDate": "date"}
_ENUMS = "com.attask.common.constants."

# Workfront fieldType of each storage kind.
_WF_TYPE = {
    "id": "string",
    "str": "string",
    "int": "int",
    "float": "double",
    "date": "dateTime",
    "bool": "boolean",
}
# Custom field kinds (``define_custom_field``) -> Workfront fieldType.
CUSTOM_FIELD_TYPES = {"str": "string", "float": "double", "date": "dateTime", "multi": "string[]"}

_LABELS = {"ID": "ID", "wbs": "WBS", "extRefID": "External Reference ID"}
_WORDS = re.compile(r"[A-Z]+(?=[A-Z][a-z]|$|ID)|[A-Z]?[a-z]+|[A-Z]+|\d+")


def field_label(name: str) -> str:
    """``plannedCompletionDate`` -> ``Planned Completion Date`` (Workfront's labels)."""
    if name in _LABELS:
        return _LABELS[name]
    words = _WORDS.findall(name)
    return " ".join(w if w.isupper() else w.capitalize() for w in words) or name


@attrs.frozen
class FieldMeta:
    """What ``/metadata`` says of one field."""

    field_type: str
    label: str
    flags: tuple[str, ...] = ()
    enum_type: str | None = None
    enum_target: str | None = None


@attrs.frozen
class ObjType:
    code: str
    aliases: tuple[str, ...]
    fields: Mapping[str, str]  # name -> storage kind: id, str, int, float, date, bool
    refs: Mapping[str, tuple[str, str]]  # name -> (ID field, target objCode)
    collections: Mapping[str, tuple[str, str]]  # name -> (child objCode, child FK field)
    defaults: tuple[str, ...]
    tracked: tuple[str, ...] = ()
    required: tuple[str, ...] = ()
    name: str = ""  # Workfront's class name: "Task", "OpTask"
    label: str = ""  # Workfront's label: "Task", "Issue", "Job Role"
    meta: Mapping[str, FieldMeta] = attrs.field(factory=dict)
    flags: tuple[str, ...] = ()
    # values set on create when the request leaves them out
    on_create: Mapping[str, Any] = attrs.field(factory=dict)
    # action name -> ((argument name, argument type), ...), result type or None
    actions: Mapping[str, tuple[tuple[tuple[str, str], ...], str | None]] = attrs.field(
        factory=dict
    )
    queries: tuple[str, ...] = ()
    copyable: bool = False

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


def _field(name: str, spec: str) -> tuple[str, FieldMeta]:
    """A row's field spec -> (storage kind, metadata)."""
    label = field_label(name)
    if spec.startswith("enum:"):
        return "str", FieldMeta("string", label, enum_type=_ENUMS + spec[5:])
    if spec == "money":
        return "float", FieldMeta("double", label, flags=("CURRENCY",))
    flags = ("NOT_GROUPABLE",) if spec == "id" else ()
    return spec, FieldMeta(_WF_TYPE[spec], label, flags=flags)


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
    *,
    name: str,
    label: str | None = None,
    flags: tuple[str, ...] = ("REPORTABLE",),
    on_create: dict[str, Any] | None = None,
    actions: dict[str, tuple[tuple[tuple[str, str], ...], str | None]] | None = None,
    queries: tuple[str, ...] = (),
    copyable: bool = False,
) -> ObjType:
    specs = {"ID": "id", **fields, **(_STAMPS if stamps else {})}
    kinds: dict[str, str] = {}
    meta: dict[str, FieldMeta] = {}
    for field_name, spec in specs.items():
        kinds[field_name], meta[field_name] = _field(field_name, spec)
    meta["ID"] = FieldMeta("string", "ID")
    return ObjType(
        code=code,
        aliases=aliases,
        fields=kinds,
        refs=refs or {},
        collections=collections or {},
        defaults=defaults,
        tracked=tracked,
        required=required,
        name=name,
        label=label or field_label(name),
        meta=meta,
        flags=flags,
        on_create=on_create or {},
        actions=actions or {},
        queries=queries,
        copyable=copyable,
    )


_SHARE = (("accessorID", "string"), ("accessorObjCode", "string"), ("coreAction", "string"))
# The approval actions with the arguments real PROJ, TASK and OPTASK metadata lists
# (python-workfront's generated v40.py, Project.approve_approval and friends).
_DECISION = (
    ("userID", "string"),
    ("username", "string"),
    ("password", "string"),
    ("auditNote", "string"),
    ("auditUserIDs", "string[]"),
    ("sendNoteAsEmail", "boolean"),
)
_APPROVAL: dict[str, tuple[tuple[tuple[str, str], ...], str | None]] = {
    "approveApproval": (_DECISION, None),
    "rejectApproval": (_DECISION, None),
    "recallApproval": ((), None),
}
_WORK_TRACKED = ("name", "status", "assignedToID", "plannedCompletionDate", "percentComplete")
_TASK_DEFAULTS = (
    "ID",
    "name",
    "percentComplete",
    "plannedCompletionDate",
    "plannedStartDate",
    "priority",
    "progressStatus",
    "projectedCompletionDate",
    "projectedStartDate",
    "status",
    "taskNumber",
    "wbs",
)
_ASSIGN = (("objID", "string"), ("objCode", "string"))
_FORM_ARGS = (*_ASSIGN, ("categoryID", "string"))
_FORMS_ARGS = (*_ASSIGN, ("categoryIDs", "string[]"))
_UNASSIGN = (("userID", "string"),)

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
                "companyID": "id",
            },
            refs={
                "homeGroup": ("homeGroupID", "GROUP"),
                "homeTeam": ("homeTeamID", "TEAMOB"),
                "role": ("roleID", "ROLE"),
                "manager": ("managerID", "USER"),
                "company": ("companyID", "CMPY"),
            },
            collections={
                "assignments": ("ASSGN", "assignedToID"),
                "hours": ("HOUR", "ownerID"),
                "directReports": ("USER", "managerID"),
            },
            defaults=("ID", "name", "emailAddr"),
            tracked=("name", "title", "isActive", "homeTeamID"),
            required=("name",),
            name="User",
            on_create={"isActive": True},
            actions={
                "generateApiKey": ((("username", "string"), ("password", "string")), "string"),
                "getApiKey": ((("username", "string"), ("password", "string")), "string"),
                "clearApiKey": ((), "java.lang.Boolean"),
                # Adobe's "Users available time API" page: PUT /user/getUsersAvailableTime
                "getUsersAvailableTime": (
                    (("userIDs", "string[]"), ("fromDate", "dateTime"), ("toDate", "dateTime")),
                    "map",
                ),
            },
        ),
        _t(
            "ROLE",
            ("role",),
            {
                "name": "str",
                "description": "str",
                "billingPerHour": "money",
                "costPerHour": "money",
            },
            required=("name",),
            name="Role",
            label="Job Role",
        ),
        _t(
            "GROUP",
            ("group",),
            {"name": "str", "description": "str", "parentID": "id"},
            refs={"parent": ("parentID", "GROUP")},
            collections={"children": ("GROUP", "parentID")},
            required=("name",),
            name="Group",
        ),
        _t(
            "TEAMOB",
            ("team",),
            {"name": "str", "description": "str", "ownerID": "id"},
            refs={"owner": ("ownerID", "USER")},
            collections={"users": ("USER", "homeTeamID")},
            required=("name",),
            name="Team",
        ),
        _t(
            "CMPY",
            ("company",),
            {"name": "str", "description": "str", "isPrimary": "bool", "extRefID": "str"},
            collections={"users": ("USER", "companyID"), "projects": ("PROJ", "companyID")},
            required=("name",),
            name="Company",
            on_create={"isPrimary": False},
        ),
        _t(
            "PORT",
            ("portfolio",),
            {
                "name": "str",
                "description": "str",
                "ownerID": "id",
                "isActive": "bool",
                "budget": "money",
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
            name="Portfolio",
            on_create={"isActive": True},
            actions={"share": (_SHARE, None)},
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
            name="Program",
            on_create={"isActive": True},
            actions={"share": (_SHARE, None)},
        ),
        _t(
            "PROJ",
            ("project",),
            {
                "name": "str",
                "description": "str",
                "status": "enum:ProjectStatusEnum",
                "priority": "int",
                "condition": "enum:ConditionEnum",
                "percentComplete": "float",
                "plannedStartDate": "date",
                "plannedCompletionDate": "date",
                "projectedStartDate": "date",
                "projectedCompletionDate": "date",
                "actualStartDate": "date",
                "actualCompletionDate": "date",
                "ownerID": "id",
                "sponsorID": "id",
                "portfolioID": "id",
                "programID": "id",
                "groupID": "id",
                "companyID": "id",
                "templateID": "id",
                "budget": "money",
                "actualCost": "money",
                "referenceNumber": "int",
                "enteredByID": "id",
                "lastUpdatedByID": "id",
                "categoryID": "id",
                # Adobe's "Retrieve currency information for a project when currency is
                # null" page: a project's currency, null when not set (the customer's
                # then applies); API basics: the help desk queue (queueDef, QUED)
                "currency": "str",
                "queueDefID": "id",
                # an approval process attached, its current step, the status before
                # the one that started it (real PROJ metadata, v40.py)
                "approvalProcessID": "id",
                "currentApprovalStepID": "id",
                "previousStatus": "str",
            },
            refs={
                "owner": ("ownerID", "USER"),
                "sponsor": ("sponsorID", "USER"),
                "portfolio": ("portfolioID", "PORT"),
                "program": ("programID", "PRGM"),
                "group": ("groupID", "GROUP"),
                "company": ("companyID", "CMPY"),
                "template": ("templateID", "TMPL"),
                "enteredBy": ("enteredByID", "USER"),
                "lastUpdatedBy": ("lastUpdatedByID", "USER"),
                "category": ("categoryID", "CTGY"),
                "queueDef": ("queueDefID", "QUED"),
                "approvalProcess": ("approvalProcessID", "ARVPRC"),
                "currentApprovalStep": ("currentApprovalStepID", "ARVSTP"),
            },
            collections={
                "tasks": ("TASK", "projectID"),
                "issues": ("OPTASK", "projectID"),
                "hours": ("HOUR", "projectID"),
                "assignments": ("ASSGN", "projectID"),
                "documents": ("DOCU", "objID"),
                "accessRules": ("ACSRUL", "securityObjID"),
                "expenses": ("EXPNS", "projectID"),
                "baselines": ("BSLN", "projectID"),
                "notes": ("NOTE", "projectID"),
                "objectCategories": ("OBJCAT", "objID"),
                "approverStatuses": ("ARVSTS", "projectID"),
            },
            defaults=(
                "ID",
                "name",
                "percentComplete",
                "plannedCompletionDate",
                "plannedStartDate",
                "priority",
                "projectedCompletionDate",
                "status",
            ),
            tracked=("name", "status", "ownerID", "plannedCompletionDate", "percentComplete"),
            required=("name",),
            name="Project",
            on_create={"status": "PLN", "priority": 0, "percentComplete": 0, "condition": "ON"},
            actions={
                # attachTemplate's arguments as real PROJ metadata lists them (python-
                # workfront's generated v40.py, Project.attach_template); result: string
                "attachTemplate": (
                    (
                        ("templateID", "string"),
                        ("predecessorTaskID", "string"),
                        ("parentTaskID", "string"),
                        ("excludeTemplateTaskIDs", "string[]"),
                        ("options", "string[]"),
                    ),
                    "string",
                ),
                "calculateTimeline": ((), None),
                "calculateFinance": ((), None),
                "calculateDataExtension": ((), None),
                "share": (_SHARE, None),
                **_APPROVAL,
            },
            copyable=True,
        ),
        _t(
            "TASK",
            ("task",),
            {
                "name": "str",
                "description": "str",
                "status": "enum:TaskStatusEnum",
                "priority": "int",
                "percentComplete": "float",
                "progressStatus": "enum:ProgressStatusEnum",
                "plannedStartDate": "date",
                "plannedCompletionDate": "date",
                "projectedStartDate": "date",
                "projectedCompletionDate": "date",
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
                "wbs": "str",
                "approvalProcessID": "id",
                "currentApprovalStepID": "id",
                "previousStatus": "str",
                "enteredByID": "id",
                "lastUpdatedByID": "id",
                # Real TASK metadata (python-workfront's generated v40.py, class Task):
                # handoffDate, templateTaskID (the TTSK a task was made from) and
                # categoryID (its first custom form)
                "handoffDate": "date",
                "templateTaskID": "id",
                "categoryID": "id",
            },
            refs={
                "project": ("projectID", "PROJ"),
                "portfolio": ("portfolioID", "PORT"),
                "parent": ("parentID", "TASK"),
                "assignedTo": ("assignedToID", "USER"),
                "role": ("roleID", "ROLE"),
                "enteredBy": ("enteredByID", "USER"),
                "lastUpdatedBy": ("lastUpdatedByID", "USER"),
                "templateTask": ("templateTaskID", "TTSK"),
                "category": ("categoryID", "CTGY"),
                "approvalProcess": ("approvalProcessID", "ARVPRC"),
                "currentApprovalStep": ("currentApprovalStepID", "ARVSTP"),
            },
            collections={
                "children": ("TASK", "parentID"),
                "assignments": ("ASSGN", "taskID"),
                "hours": ("HOUR", "taskID"),
                "documents": ("DOCU", "objID"),
                "accessRules": ("ACSRUL", "securityObjID"),
                "expenses": ("EXPNS", "taskID"),
                "notes": ("NOTE", "taskID"),
                # dependencies (PRED): this task's predecessors, and the tasks after it
                "predecessors": ("PRED", "successorID"),
                "successors": ("PRED", "predecessorID"),
                "objectCategories": ("OBJCAT", "objID"),
                "approverStatuses": ("ARVSTS", "taskID"),
            },
            defaults=_TASK_DEFAULTS,
            tracked=(*_WORK_TRACKED, "projectID", "parentID"),
            required=("name", "projectID"),
            name="Task",
            on_create={"status": "NEW", "priority": 0, "percentComplete": 0},
            actions={
                "move": ((("projectID", "string"),), None),
                # Real TASK metadata (v4.0, recorded in python-workfront's generated
                # workfront/versions/v40.py) lists these actions and arguments.
                # bulkMove is sent on the type: PUT /task?action=bulkMove&taskIDs=...
                "bulkMove": (
                    (
                        ("taskIDs", "string[]"),
                        ("projectID", "string"),
                        ("parentID", "string"),
                        ("options", "string[]"),
                    ),
                    None,
                ),
                "assign": (_ASSIGN, None),
                "unassign": (_UNASSIGN, None),
                "share": (_SHARE, None),
                **_APPROVAL,
            },
            copyable=True,
        ),
        _t(
            "OPTASK",
            ("issue", "optask"),
            {
                "name": "str",
                "description": "str",
                "status": "enum:OpTaskStatusEnum",
                "priority": "int",
                "severity": "str",
                "opTaskType": "enum:OpTaskTypeEnum",
                "percentComplete": "float",
                "plannedCompletionDate": "date",
                "projectID": "id",
                "assignedToID": "id",
                # the owner (real OPTASK metadata, v40.py; Adobe's API basics
                # page: issue/search?fields=owner:title,owner:phoneNumber)
                "ownerID": "id",
                "approvalProcessID": "id",
                "currentApprovalStepID": "id",
                "previousStatus": "str",
                "enteredByID": "id",
                "lastUpdatedByID": "id",
                "categoryID": "id",
            },
            refs={
                "project": ("projectID", "PROJ"),
                "assignedTo": ("assignedToID", "USER"),
                "owner": ("ownerID", "USER"),
                "approvalProcess": ("approvalProcessID", "ARVPRC"),
                "currentApprovalStep": ("currentApprovalStepID", "ARVSTP"),
                "enteredBy": ("enteredByID", "USER"),
                "lastUpdatedBy": ("lastUpdatedByID", "USER"),
                "category": ("categoryID", "CTGY"),
            },
            collections={
                "assignments": ("ASSGN", "opTaskID"),
                "hours": ("HOUR", "opTaskID"),
                "documents": ("DOCU", "objID"),
                "accessRules": ("ACSRUL", "securityObjID"),
                "notes": ("NOTE", "opTaskID"),
                "objectCategories": ("OBJCAT", "objID"),
                "approverStatuses": ("ARVSTS", "opTaskID"),
            },
            defaults=("ID", "name", "plannedCompletionDate", "priority", "status"),
            tracked=_WORK_TRACKED,
            required=("name", "projectID"),
            name="OpTask",
            label="Issue",
            on_create={"status": "NEW", "priority": 0, "percentComplete": 0},
            actions={
                "move": ((("projectID", "string"),), None),
                "assign": (_ASSIGN, None),
                "unassign": (_UNASSIGN, None),
                "share": (_SHARE, None),
                **_APPROVAL,
            },
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
                "status": "enum:AssignmentStatusEnum",
                "isPrimary": "bool",
                # API basics, "Making Nested Updates": assignments: [{assignedToID,
                # assignmentPercent: 50.0}, {roleID}] (real ASSGN metadata, v40.py)
                "assignmentPercent": "float",
            },
            refs={
                "task": ("taskID", "TASK"),
                "opTask": ("opTaskID", "OPTASK"),
                "project": ("projectID", "PROJ"),
                "assignedTo": ("assignedToID", "USER"),
                "role": ("roleID", "ROLE"),
            },
            defaults=("ID", "assignedToID", "status", "workRequired"),
            name="Assignment",
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
                "status": "enum:HourStatusEnum",
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
            name="Hour",
        ),
        _t(
            "EXPNS",
            ("expense",),
            {
                "description": "str",
                "projectID": "id",
                "taskID": "id",
                "objObjCode": "str",
                "objID": "id",
                "effectiveDate": "date",
                "plannedAmount": "money",
                "actualAmount": "money",
                "plannedUnitAmount": "float",
                "actualUnitAmount": "float",
                "isBillable": "bool",
                "isReimbursable": "bool",
                "enteredByID": "id",
                "lastUpdatedByID": "id",
            },
            refs={
                "project": ("projectID", "PROJ"),
                "task": ("taskID", "TASK"),
                "enteredBy": ("enteredByID", "USER"),
                "lastUpdatedBy": ("lastUpdatedByID", "USER"),
            },
            defaults=(
                "ID",
                "actualAmount",
                "effectiveDate",
                "objID",
                "objObjCode",
                "plannedAmount",
            ),
            name="Expense",
            on_create={"isBillable": False, "isReimbursable": False},
        ),
        _t(
            "BSLN",
            ("baseline",),
            {
                "name": "str",
                "projectID": "id",
                "isDefault": "bool",
                "plannedStartDate": "date",
                "plannedCompletionDate": "date",
                "projectedCompletionDate": "date",
                "percentComplete": "float",
                "budget": "money",
            },
            refs={"project": ("projectID", "PROJ")},
            defaults=("ID", "name", "entryDate", "isDefault"),
            required=("name", "projectID"),
            name="Baseline",
            on_create={"isDefault": False},
        ),
        _t(
            "TMPL",
            ("template",),
            {
                "name": "str",
                "description": "str",
                "ownerID": "id",
                "groupID": "id",
                "isActive": "bool",
                "duration": "float",
            },
            refs={"owner": ("ownerID", "USER"), "group": ("groupID", "GROUP")},
            collections={"templateTasks": ("TTSK", "templateID")},
            defaults=("ID", "name", "description"),
            required=("name",),
            name="Template",
            on_create={"isActive": True},
            copyable=True,
        ),
        _t(
            "TTSK",
            ("templatetask",),
            {
                "name": "str",
                "description": "str",
                "templateID": "id",
                "parentID": "id",
                "roleID": "id",
                "taskNumber": "int",
                "priority": "int",
                "duration": "float",
                "workRequired": "float",
                "startDay": "int",
            },
            refs={
                "template": ("templateID", "TMPL"),
                "parent": ("parentID", "TTSK"),
                "role": ("roleID", "ROLE"),
            },
            collections={"children": ("TTSK", "parentID")},
            defaults=("ID", "name", "duration", "taskNumber"),
            required=("name", "templateID"),
            name="TemplateTask",
            label="Template Task",
            on_create={"priority": 0, "duration": 1},
        ),
        _t(
            "NOTE",
            ("note",),
            {
                "noteText": "str",
                "noteObjCode": "str",
                "objID": "id",
                "subject": "str",
                "ownerID": "id",
                "projectID": "id",
                "taskID": "id",
                "opTaskID": "id",
                "documentID": "id",
                "parentNoteID": "id",
                "threadID": "id",
                "isPrivate": "bool",
                "isReply": "bool",
                "isDeleted": "bool",
            },
            refs={
                "owner": ("ownerID", "USER"),
                "project": ("projectID", "PROJ"),
                "task": ("taskID", "TASK"),
                "opTask": ("opTaskID", "OPTASK"),
                "document": ("documentID", "DOCU"),
                "parentNote": ("parentNoteID", "NOTE"),
            },
            collections={"replies": ("NOTE", "parentNoteID")},
            defaults=("ID", "entryDate", "noteObjCode", "noteText", "objID", "ownerID"),
            required=("noteObjCode", "objID"),
            name="Note",
            on_create={"isPrivate": False, "isDeleted": False},
        ),
        _t(
            "JRNLE",
            ("journalentry",),
            {
                "objObjCode": "str",
                "objID": "id",
                "fieldName": "str",
                "changeType": "enum:ChangeTypeEnum",
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
            name="JournalEntry",
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
            name="Document",
            actions={"share": (_SHARE, None)},
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
            name="DocumentVersion",
        ),
        # A task dependency, as real Workfront's metadata describes PRED (v4.0, recorded
        # in python-workfront's generated workfront/versions/v40.py, class Predecessor).
        _t(
            "PRED",
            ("predecessor",),
            {
                "predecessorID": "id",
                "successorID": "id",
                "predecessorType": "str",
                "isEnforced": "bool",
                "isCP": "bool",
                "lagDays": "int",
                "lagType": "str",
            },
            refs={
                "predecessor": ("predecessorID", "TASK"),
                "successor": ("successorID", "TASK"),
            },
            defaults=("ID", "predecessorID", "successorID", "predecessorType", "isEnforced"),
            required=("predecessorID", "successorID"),
            stamps=False,
            name="Predecessor",
            on_create={"predecessorType": "fs", "isEnforced": False, "isCP": False, "lagDays": 0},
        ),
        # A custom form, as Adobe's API object page "Category" describes it
        # (experienceleague.adobe.com/.../workfrtont-object-descriptions/category):
        # name and catObjCode required; lastUpdateDate but no entryDate; the actions
        # attach and detach forms; its fields in ``categoryParameters`` (CTGYPA). Real
        # metadata (v40.py, unsupported.py) and that page have no ``isActive``.
        _t(
            "CTGY",
            ("category",),
            {
                "name": "str",
                "description": "str",
                "catObjCode": "str",
                "groupID": "id",
                "extRefID": "str",
                "hasCalculatedFields": "bool",
                "enteredByID": "id",
                "lastUpdatedByID": "id",
                "lastUpdateDate": "date",
            },
            refs={
                "group": ("groupID", "GROUP"),
                "enteredBy": ("enteredByID", "USER"),
                "lastUpdatedBy": ("lastUpdatedByID", "USER"),
            },
            collections={"categoryParameters": ("CTGYPA", "categoryID")},
            defaults=("ID", "name", "catObjCode", "description"),
            required=("name", "catObjCode"),
            stamps=False,
            name="Category",
            label="Custom Form",
            on_create={"hasCalculatedFields": False},
            actions={
                "assignCategories": (_FORMS_ARGS, None),
                "assignCategory": (_FORM_ARGS, None),
                "unassignCategories": (_FORMS_ARGS, None),
                "unassignCategory": (_FORM_ARGS, None),
            },
        ),
        # A custom field (python-workfront's generated v40.py and unsupported.py,
        # class Parameter): its name is the ``DE:<name>`` of the values on objects.
        # Real metadata has no entryDate and no label (``description`` is the
        # field's instructions). dataType: TEXT, NMBR, CURC or DATE.
        _t(
            "PARAM",
            ("parameter",),
            {
                "name": "str",
                "description": "str",
                "dataType": "str",
                "displayType": "str",
                "displaySize": "int",
                "formatConstraint": "str",
                "isRequired": "bool",
                "extRefID": "str",
                "lastUpdatedByID": "id",
                "lastUpdateDate": "date",
            },
            refs={"lastUpdatedBy": ("lastUpdatedByID", "USER")},
            collections={"parameterOptions": ("POPT", "parameterID")},
            defaults=("ID", "name", "dataType", "displayType", "description"),
            required=("name",),
            stamps=False,
            name="Parameter",
            label="Custom Field",
            on_create={"isRequired": False, "dataType": "TEXT", "displayType": "TEXT"},
        ),
        # One choice of a custom field with a fixed list (v40.py, class ParameterOption).
        _t(
            "POPT",
            ("parameteroption",),
            {
                "parameterID": "id",
                "value": "str",
                "label": "str",
                "displayOrder": "int",
                "isDefault": "bool",
                "isHidden": "bool",
                "extRefID": "str",
            },
            refs={"parameter": ("parameterID", "PARAM")},
            defaults=("ID", "value", "label", "displayOrder", "isDefault", "isHidden"),
            required=("parameterID", "value"),
            stamps=False,
            name="ParameterOption",
            label="Parameter Option",
            flags=(),
            on_create={"isDefault": False, "isHidden": False},
        ),
        # A custom field on a custom form (v40.py, class CategoryParameter): a form
        # lists them in ``categoryParameters``. Parameter groups (PGRP, the form's
        # sections) are not built: parameterGroupID is kept as given.
        _t(
            "CTGYPA",
            ("categoryparameter",),
            {
                "categoryID": "id",
                "parameterID": "id",
                "parameterGroupID": "id",
                "displayOrder": "int",
                "isRequired": "bool",
                "customExpression": "str",
                "isInvalidExpression": "bool",
                "rowShared": "bool",
                "securityLevel": "str",
                "viewSecurityLevel": "str",
            },
            refs={"category": ("categoryID", "CTGY"), "parameter": ("parameterID", "PARAM")},
            defaults=("ID", "categoryID", "displayOrder", "parameterID"),
            required=("categoryID", "parameterID"),
            stamps=False,
            name="CategoryParameter",
            label="Category Parameter",
            flags=(),
            on_create={"isRequired": False, "isInvalidExpression": False, "rowShared": False},
        ),
        # The link of an object to one of its custom forms (python-workfront's
        # generated unsupported.py, class ObjectCategory): an object lists them in
        # ``objectCategories``, ordered by categoryOrder.
        _t(
            "OBJCAT",
            ("objectcategory",),
            {
                "objID": "id",
                "objObjCode": "str",
                "categoryID": "id",
                "categoryOrder": "int",
            },
            refs={"category": ("categoryID", "CTGY")},
            defaults=("ID", "categoryID", "categoryOrder", "objID", "objObjCode"),
            required=("categoryID",),
            stamps=False,
            name="ObjectCategory",
            label="Object Category",
            flags=(),
            on_create={"categoryOrder": 0},
        ),
        _t(
            "ACSRUL",
            ("accessrule",),
            {
                "accessorID": "id",
                "accessorObjCode": "str",
                "coreAction": "enum:CoreActionEnum",
                "securityObjCode": "str",
                "securityObjID": "id",
            },
            defaults=("ID", "accessorID", "accessorObjCode", "coreAction"),
            name="AccessRule",
        ),
        # A user's work item (a task or issue on the user's list), with the fields of
        # real WorkItem metadata (v40.py, class WorkItem, objCode WRKITM) the emulator
        # keeps; markViewed stamps lastViewedDate (API basics, "Moving Objects").
        _t(
            "WORKITEM",
            ("workitem", "wrkitm"),
            {
                "userID": "id",
                "objObjCode": "str",
                "objID": "id",
                "assignmentID": "id",
                "taskID": "id",
                "opTaskID": "id",
                "projectID": "id",
                "priority": "int",
                "isDone": "bool",
                "isDead": "bool",
                "doneDate": "date",
                "isMarkedAsViewed": "bool",
                "lastViewedDate": "date",
                "referenceObjectName": "str",
            },
            refs={
                "user": ("userID", "USER"),
                "assignment": ("assignmentID", "ASSGN"),
                "task": ("taskID", "TASK"),
                "opTask": ("opTaskID", "OPTASK"),
                "project": ("projectID", "PROJ"),
            },
            defaults=("ID", "objObjCode", "objID", "isMarkedAsViewed"),
            name="WorkItem",
            label="Work Item",
            on_create={"isDone": False, "isDead": False, "isMarkedAsViewed": False},
            actions={"markViewed": ((), None)},
        ),
        # A project's help desk queue (real QueueDef metadata, v40.py, objCode QUED):
        # API basics, "Making Nested Updates": updates={queueDef: {isPublic: 1}} makes a
        # project a public queue, replacing the queue's properties.
        _t(
            "QUED",
            ("queuedef",),
            {
                "projectID": "id",
                "templateID": "id",
                "isPublic": "int",
                "addOpTaskStyle": "str",
                "allowedOpTaskTypes": "str",
                "requestorCoreAction": "str",
                "defaultApprovalProcessID": "id",
                "defaultCategoryID": "id",
                "defaultRouteID": "id",
                "hasQueueTopics": "bool",
                "extRefID": "str",
            },
            refs={
                "project": ("projectID", "PROJ"),
                "defaultApprovalProcess": ("defaultApprovalProcessID", "ARVPRC"),
            },
            defaults=("ID", "isPublic", "projectID"),
            stamps=False,
            name="QueueDef",
            label="Queue Definition",
            flags=(),
            on_create={"isPublic": 0},
        ),
        # Approval processes (real metadata, v40.py: ApprovalProcess ARVPRC, ApprovalPath
        # ARVPTH, ApprovalStep ARVSTP, StepApprover SPAPVR, ApproverStatus ARVSTS), as
        # Adobe's "Create an approval process for work items" page describes them: a
        # process for one object type, paths started by a status, stages (steps) with
        # approvers (users, teams, job roles), what a rejection does.
        _t(
            "ARVPRC",
            ("approvalprocess",),
            {
                "name": "str",
                "description": "str",
                "approvalObjCode": "str",
                "isActive": "bool",
                "isPrivate": "bool",
                "groupID": "id",
                "enteredByID": "id",
                "lastUpdatedByID": "id",
                "extRefID": "str",
            },
            refs={
                "group": ("groupID", "GROUP"),
                "enteredBy": ("enteredByID", "USER"),
                "lastUpdatedBy": ("lastUpdatedByID", "USER"),
            },
            collections={"approvalPaths": ("ARVPTH", "approvalProcessID")},
            defaults=("ID", "name", "approvalObjCode", "description", "isActive"),
            required=("name", "approvalObjCode"),
            name="ApprovalProcess",
            label="Approval Process",
            on_create={"isActive": True, "isPrivate": False},
        ),
        _t(
            "ARVPTH",
            ("approvalpath",),
            {
                "approvalProcessID": "id",
                "targetStatus": "str",
                "targetStatusLabel": "str",
                "rejectedStatus": "str",
                "rejectedStatusLabel": "str",
                "shouldCreateIssue": "bool",
            },
            refs={"approvalProcess": ("approvalProcessID", "ARVPRC")},
            collections={"approvalSteps": ("ARVSTP", "approvalPathID")},
            defaults=("ID", "approvalProcessID", "targetStatus", "rejectedStatus"),
            required=("approvalProcessID", "targetStatus"),
            stamps=False,
            name="ApprovalPath",
            label="Approval Path",
            flags=(),
            on_create={"shouldCreateIssue": False},
        ),
        _t(
            "ARVSTP",
            ("approvalstep",),
            {
                "approvalPathID": "id",
                "name": "str",
                "sequenceNumber": "int",
                # ONE: "Only one decision is required"; ALL: every approver decides
                "approvalType": "str",
            },
            refs={"approvalPath": ("approvalPathID", "ARVPTH")},
            collections={"stepApprovers": ("SPAPVR", "approvalStepID")},
            defaults=("ID", "name", "sequenceNumber", "approvalType"),
            required=("approvalPathID",),
            stamps=False,
            name="ApprovalStep",
            label="Approval Step",
            flags=(),
            on_create={"approvalType": "ONE", "name": "Stage 1", "sequenceNumber": 1},
        ),
        _t(
            "SPAPVR",
            ("stepapprover",),
            {
                "approvalStepID": "id",
                "userID": "id",
                "teamID": "id",
                "roleID": "id",
                "wildCard": "str",
            },
            refs={
                "approvalStep": ("approvalStepID", "ARVSTP"),
                "user": ("userID", "USER"),
                "team": ("teamID", "TEAMOB"),
                "role": ("roleID", "ROLE"),
            },
            defaults=("ID", "approvalStepID", "userID", "teamID", "roleID"),
            required=("approvalStepID",),
            stamps=False,
            name="StepApprover",
            label="Step Approver",
            flags=(),
        ),
        _t(
            "ARVSTS",
            ("approverstatus",),
            {
                "approvableObjCode": "str",
                "approvableObjID": "id",
                "approvalStepID": "id",
                "stepApproverID": "id",
                "approvedByID": "id",
                # P pending, A approved, R rejected (the emulator's letters)
                "status": "str",
                "isOverridden": "bool",
                "projectID": "id",
                "taskID": "id",
                "opTaskID": "id",
            },
            refs={
                "approvalStep": ("approvalStepID", "ARVSTP"),
                "stepApprover": ("stepApproverID", "SPAPVR"),
                "approvedBy": ("approvedByID", "USER"),
                "project": ("projectID", "PROJ"),
                "task": ("taskID", "TASK"),
                "opTask": ("opTaskID", "OPTASK"),
            },
            defaults=("ID", "approvableObjCode", "approvableObjID", "status", "approvedByID"),
            stamps=False,
            name="ApproverStatus",
            label="Approver Status",
            flags=(),
            on_create={"isOverridden": False},
        ),
        # A status, priority or other custom label (real CustomEnum metadata, v40.py):
        # the statuses of the system (groupID null) and of a group. Adobe's "Core API
        # changes: Status search responses" page shows them without an ID.
        _t(
            "CSTEM",
            ("customenum",),
            {
                "value": "str",
                "label": "str",
                "color": "str",
                "equatesWith": "str",
                "enumClass": "str",
                "groupID": "id",
                "description": "str",
                "isHidden": "bool",
                "isLocked": "bool",
                "isPrimary": "bool",
                "valueAsInt": "int",
                "extRefID": "str",
            },
            refs={"group": ("groupID", "GROUP")},
            defaults=("color", "equatesWith", "groupID", "label", "value"),
            required=("value", "enumClass"),
            stamps=False,
            name="CustomEnum",
            label="Custom Enum",
            flags=(),
            on_create={"isHidden": False, "isLocked": False, "isPrimary": False},
        ),
        # The tenant itself (real Customer metadata, v40.py): CUST/currentCustomer
        # answers it (Adobe's "Retrieve currency information for a project when
        # currency is null" page), its currency the default of projects without one.
        _t(
            "CUST",
            ("customer",),
            {"name": "str", "description": "str", "currency": "str", "timeZone": "str"},
            defaults=("ID", "name"),
            stamps=False,
            name="Customer",
            flags=(),
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
