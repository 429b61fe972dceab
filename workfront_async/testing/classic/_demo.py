"""Deterministic demo data for the embedded Workfront.

Scale 1.0: 200 users, 10 teams, 3 companies, 10 portfolios, 30 programs, 400
projects, 20,000 tasks (in a two-level hierarchy), 2,000 issues, assignments,
hours, journal entries, documents, comments (notes), expenses, baselines,
20 templates with their template tasks, custom forms and custom field values. Rows are
written straight into SQLite in bulk, so building scale 1.0 takes about a second.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from typing import Any

from ._schema import OBJ_TYPES
from ._statuses import status_row
from ._store import derived_id
from ._tenant import Tenant

__all__ = ["DEMO_PASSWORD", "populate"]

DEMO_PASSWORD = "demo-password"
TASKS_PER_PROJECT = 50
_EPOCH = datetime(2023, 1, 1, tzinfo=UTC)

_FIRST = [
    "Steve",
    "Steven",
    "Stephanie",
    "Anna",
    "Ben",
    "Chloe",
    "David",
    "Emma",
    "Farid",
    "Grace",
    "Hiro",
    "Ines",
    "Jonas",
    "Kara",
    "Liam",
    "Maya",
    "Noor",
    "Omar",
    "Priya",
    "Quinn",
    "Rosa",
    "Sven",
    "Tara",
    "Umar",
    "Vera",
    "Wei",
    "Xena",
    "Yusuf",
    "Zoe",
]
_LAST = [
    "Rogers",
    "Hale",
    "Novak",
    "Okafor",
    "Lindqvist",
    "Moreau",
    "Tanaka",
    "Silva",
    "Kowalski",
    "Brennan",
    "Haddad",
    "Petrov",
    "Nakamura",
    "Fischer",
    "Alvarez",
    "Osei",
    "Dubois",
    "Jensen",
]
_PORTFOLIOS = [
    "FixedAssets",
    "Growth",
    "Infrastructure",
    "Marketing",
    "Compliance",
    "Research",
    "Operations",
    "Customer",
    "Digital",
    "Facilities",
]
_PHASES = ("Planning", "Design", "Build", "Test", "Final Task")
_VERBS = [
    "Draft",
    "Review",
    "Approve",
    "Build",
    "Test",
    "Deploy",
    "Document",
    "Plan",
    "Analyse",
    "Migrate",
    "Train",
    "Audit",
]
_NOUNS = [
    "requirements",
    "budget",
    "prototype",
    "interface",
    "database",
    "report",
    "campaign",
    "contract",
    "rollout",
    "checklist",
    "dashboard",
    "integration",
]
_REGIONS = ("EMEA", "AMER", "APAC", "LATAM")
_TAGS = ("urgent", "customer", "internal", "regulatory", "q1", "q2", "q3", "q4")


def _blank(code: str) -> dict[str, Any]:
    row: dict[str, Any] = dict.fromkeys(OBJ_TYPES[code].fields)
    row["_de"] = {}
    return row


def populate(tenant: Tenant, *, seed: int = 0, scale: float = 1.0) -> None:
    """Fill an (empty) tenant with demo data. Deterministic for a seed and scale."""
    if scale <= 0:
        raise ValueError(f"scale must be positive, got {scale!r}")
    rng = random.Random(f"demo-{seed}")
    store = tenant.store
    store.drop_indexes()
    try:
        _populate(tenant, rng, scale)
        # after everything else, drawing from its own generator and making IDs from
        # names: the rows above keep the IDs and values they had for a seed
        _populate_extras(tenant, random.Random(f"demo-extras-{seed}"))
    finally:
        store.create_indexes()
        store.db.execute("ANALYZE")


def _populate(tenant: Tenant, rng: random.Random, scale: float) -> None:
    store = tenant.store
    new_id = tenant.new_id
    for name, kind in (
        ("DE:Region", "str"),
        ("DE:Budget Code", "str"),
        ("DE:Risk Score", "float"),
        ("DE:Go Live", "date"),
        ("DE:Tags", "multi"),
        ("DE:Effort Class", "str"),
        ("DE:Severity Score", "float"),
    ):
        store.define_custom_field(name, kind, now=_EPOCH)

    def n(base: int, minimum: int) -> int:
        return max(minimum, round(base * scale))

    days = [(_EPOCH + timedelta(days=d)).strftime("%Y-%m-%d") for d in range(1500)]

    def stamp(day: float) -> str:
        # to_store(_EPOCH + timedelta(days=day)), without datetime arithmetic
        whole, rest = divmod(int(day * 86_400_000), 86_400_000)
        hours, rest = divmod(rest, 3_600_000)
        minutes, rest = divmod(rest, 60_000)
        seconds, millis = divmod(rest, 1000)
        return f"{days[whole]}T{hours:02d}:{minutes:02d}:{seconds:02d}.{millis:03d}"

    def stamps(row: dict[str, Any], low: float = 0, high: float = 900) -> float:
        entry = rng.uniform(low, high)
        row["entryDate"] = stamp(entry)
        row["lastUpdateDate"] = stamp(entry + rng.uniform(0, 60))
        return entry

    # groups, roles, teams
    groups = []
    for name in ("Engineering", "Marketing", "Finance", "Operations", "PMO"):
        row = _blank("GROUP")
        row.update(ID=new_id(), name=name)
        stamps(row, 0, 10)
        groups.append(row)
    store.insert_many_raw("GROUP", groups)
    roles = []
    for name in ("Developer", "Designer", "Project Manager", "Analyst", "Tester", "Architect"):
        row = _blank("ROLE")
        row.update(ID=new_id(), name=name)
        stamps(row, 0, 10)
        roles.append(row)
    store.insert_many_raw("ROLE", roles)
    teams = []
    for i in range(n(10, 2)):
        row = _blank("TEAMOB")
        row.update(ID=new_id(), name=f"Team {i + 1}")
        stamps(row, 0, 10)
        teams.append(row)
    store.insert_many_raw("TEAMOB", teams)

    # users
    users = []
    for i in range(n(200, 8)):
        row = _blank("USER")
        first = _FIRST[i % len(_FIRST)]
        last = _LAST[(i * 7 + i // len(_FIRST)) % len(_LAST)]
        row.update(
            ID=new_id(),
            name=f"{first} {last}",
            firstName=first,
            lastName=last,
            username=f"user{i + 1}@example.com",
            emailAddr=f"user{i + 1}@example.com",
            title=rng.choice(("Engineer", "Designer", "Manager", "Analyst", "Director")),
            isAdmin=0,
            isActive=0 if i % 37 == 36 else 1,
            homeGroupID=groups[i % len(groups)]["ID"],
            homeTeamID=teams[i % len(teams)]["ID"],
            roleID=roles[i % len(roles)]["ID"],
            managerID=None,
        )
        stamps(row, 0, 100)
        users.append(row)
    for i, row in enumerate(users):
        if i >= 5:
            row["managerID"] = users[i % 5]["ID"]
    store.insert_many_raw("USER", users)
    for row in users:
        tenant.set_password(row["ID"], DEMO_PASSWORD)
    for team in teams:
        team["ownerID"] = rng.choice(users)["ID"]
        store.update_raw("TEAMOB", team["ID"], {"ownerID": team["ownerID"]})
    user_ids = [u["ID"] for u in users]

    # portfolios and programs
    portfolios = []
    for i in range(n(10, 2)):
        row = _blank("PORT")
        name = _PORTFOLIOS[i] if i < len(_PORTFOLIOS) else f"Portfolio {i + 1}"
        row.update(
            ID=new_id(),
            name=name,
            ownerID=rng.choice(user_ids),
            isActive=1,
            budget=float(rng.randrange(100, 5000) * 1000),
        )
        stamps(row, 0, 30)
        portfolios.append(row)
    store.insert_many_raw("PORT", portfolios)
    programs = []
    for i in range(n(30, 2)):
        row = _blank("PRGM")
        row.update(
            ID=new_id(),
            name=f"Program {i + 1}",
            portfolioID=portfolios[i % len(portfolios)]["ID"],
            ownerID=rng.choice(user_ids),
            isActive=1,
        )
        stamps(row, 0, 60)
        programs.append(row)
    store.insert_many_raw("PRGM", programs)

    # projects
    projects = []
    for i in range(n(400, 4)):
        row = _blank("PROJ")
        program = programs[i % len(programs)]
        start = rng.uniform(0, 800)
        row.update(
            ID=new_id(),
            name=f"{rng.choice(_VERBS)} {rng.choice(_NOUNS)} {i + 1}",
            description=f"Demo project {i + 1}",
            status=rng.choice(("PLN", "CUR", "CUR", "CUR", "ONH", "CPL", "DED")),
            priority=rng.randrange(0, 5),
            condition=rng.choice(("ON", "AR", "IT")),
            percentComplete=float(rng.randrange(0, 101)),
            plannedStartDate=stamp(start),
            plannedCompletionDate=stamp(start + rng.uniform(30, 300)),
            ownerID=rng.choice(user_ids),
            sponsorID=rng.choice(user_ids),
            portfolioID=program["portfolioID"] if i % 9 else None,
            programID=program["ID"] if i % 9 else None,
            groupID=groups[i % len(groups)]["ID"],
            budget=float(rng.randrange(10, 500) * 1000),
            referenceNumber=1000 + i,
            enteredByID=tenant.admin_id,
            lastUpdatedByID=tenant.admin_id,
        )
        stamps(row, 0, 800)
        row["_de"] = {
            "DE:Region": rng.choice(_REGIONS),
            "DE:Budget Code": f"BC-{rng.randrange(100, 999)}",
            "DE:Risk Score": float(rng.randrange(0, 100)),
            "DE:Go Live": stamp(start + rng.uniform(60, 400)),
            "DE:Tags": sorted(rng.sample(_TAGS, rng.randrange(0, 4))),
        }
        if i % 11 == 10:
            del row["_de"]["DE:Region"]
        projects.append(row)
    for project in projects:
        project["projectedStartDate"] = project["plannedStartDate"]
        project["projectedCompletionDate"] = project["plannedCompletionDate"]
    store.insert_many_raw("PROJ", projects)

    # tasks: per project 5 phases, each with 9 children
    tasks: list[dict[str, Any]] = []
    per_phase = TASKS_PER_PROJECT // len(_PHASES) - 1
    number = 0
    for project in projects:
        start = rng.uniform(0, 800)
        for phase_name in _PHASES:
            parent = _blank("TASK")
            number += 1
            parent.update(
                ID=new_id(),
                name=phase_name,
                status=rng.choice(("NEW", "INP", "CPL")),
                priority=rng.randrange(0, 5),
                percentComplete=float(rng.randrange(0, 101)),
                plannedStartDate=stamp(start),
                plannedCompletionDate=stamp(start + 40),
                projectID=project["ID"],
                portfolioID=project["portfolioID"],
                assignedToID=rng.choice(user_ids),
                workRequired=float(rng.randrange(8, 200)),
                duration=40.0,
                taskNumber=number,
                enteredByID=tenant.admin_id,
                lastUpdatedByID=tenant.admin_id,
            )
            stamps(parent, 0, 850)
            parent["_de"] = {"DE:Region": rng.choice(_REGIONS)}
            tasks.append(parent)
            for _ in range(per_phase):
                child = _blank("TASK")
                number += 1
                begin = start + rng.uniform(0, 30)
                unassigned = rng.random() < 0.1
                child.update(
                    ID=new_id(),
                    name=f"{rng.choice(_VERBS)} {rng.choice(_NOUNS)}"
                    + (" (Planning)" if rng.random() < 0.05 else ""),
                    description=None if rng.random() < 0.3 else "Demo task",
                    status=rng.choice(("NEW", "NEW", "INP", "INP", "CPL")),
                    priority=rng.randrange(0, 5),
                    percentComplete=float(rng.randrange(0, 101)),
                    plannedStartDate=stamp(begin),
                    plannedCompletionDate=stamp(begin + rng.uniform(1, 60)),
                    projectID=project["ID"],
                    portfolioID=project["portfolioID"],
                    parentID=parent["ID"],
                    assignedToID=None if unassigned else rng.choice(user_ids),
                    roleID=rng.choice(roles)["ID"],
                    workRequired=float(rng.randrange(1, 80)),
                    duration=float(rng.randrange(1, 20)),
                    taskNumber=number,
                    enteredByID=tenant.admin_id,
                    lastUpdatedByID=rng.choice(user_ids),
                )
                stamps(child, 0, 900)
                if rng.random() < 0.6:
                    child["_de"] = {
                        "DE:Region": rng.choice(_REGIONS),
                        "DE:Effort Class": rng.choice(("S", "M", "L", "XL")),
                    }
                tasks.append(child)
            start += 35
    _schedule(tasks)
    store.insert_many_raw("TASK", tasks)

    # issues
    issues = []
    for i in range(n(2000, 10)):
        project = projects[i % len(projects)]
        row = _blank("OPTASK")
        row.update(
            ID=new_id(),
            name=f"Issue {i + 1}: {rng.choice(_NOUNS)} {rng.choice(('broken', 'late', 'unclear'))}",
            status=rng.choice(("NEW", "INP", "CLS", "CPL")),
            priority=rng.randrange(0, 5),
            severity=rng.choice(("1", "2", "3", "4")),
            opTaskType=rng.choice(("ISSUE", "REQUEST", "BUG", "CHANGE")),
            percentComplete=0.0,
            plannedCompletionDate=stamp(rng.uniform(0, 900)),
            projectID=project["ID"],
            assignedToID=rng.choice(user_ids) if rng.random() < 0.8 else None,
            enteredByID=rng.choice(user_ids),
            lastUpdatedByID=rng.choice(user_ids),
        )
        stamps(row, 0, 900)
        row["_de"] = {"DE:Severity Score": float(rng.randrange(1, 10))}
        issues.append(row)
    store.insert_many_raw("OPTASK", issues)

    # assignments, hours, journal entries
    assignments = []
    hours = []
    journal = []
    for task in tasks:
        if task["assignedToID"] is not None:
            row = _blank("ASSGN")
            row.update(
                ID=new_id(),
                taskID=task["ID"],
                projectID=task["projectID"],
                assignedToID=task["assignedToID"],
                roleID=task["roleID"],
                workRequired=task["workRequired"],
                status="ACCEPTED",
                isPrimary=1,
                entryDate=task["entryDate"],
                lastUpdateDate=task["lastUpdateDate"],
            )
            assignments.append(row)
        if rng.random() < 0.5:
            row = _blank("HOUR")
            row.update(
                ID=new_id(),
                hours=float(rng.randrange(1, 17)) / 2,
                taskID=task["ID"],
                projectID=task["projectID"],
                ownerID=task["assignedToID"] or rng.choice(user_ids),
                status=rng.choice(("SUB", "APP")),
            )
            stamps(row, 0, 900)
            hours.append(row)
        if rng.random() < 0.5:
            row = _blank("JRNLE")
            row.update(
                ID=new_id(),
                objObjCode="TASK",
                objID=task["ID"],
                fieldName="status",
                changeType="EDIT",
                oldTextVal="NEW",
                newTextVal=task["status"],
                editedByID=rng.choice(user_ids),
                entryDate=task["lastUpdateDate"],
                lastUpdateDate=task["lastUpdateDate"],
            )
            journal.append(row)
    for issue in issues:
        if issue["assignedToID"] is not None:
            row = _blank("ASSGN")
            row.update(
                ID=new_id(),
                opTaskID=issue["ID"],
                projectID=issue["projectID"],
                assignedToID=issue["assignedToID"],
                status="ACCEPTED",
                isPrimary=1,
                entryDate=issue["entryDate"],
                lastUpdateDate=issue["lastUpdateDate"],
            )
            assignments.append(row)
    store.insert_many_raw("ASSGN", assignments)
    store.insert_many_raw("HOUR", hours)
    store.insert_many_raw("JRNLE", journal)

    # documents with one version each
    documents = []
    versions = []
    for i, project in enumerate(projects[: max(1, len(projects) // 2)]):
        doc = _blank("DOCU")
        version = _blank("DOCV")
        doc.update(
            ID=new_id(),
            name=f"Brief {i + 1}.pdf",
            docObjCode="PROJ",
            objID=project["ID"],
            ownerID=project["ownerID"],
        )
        stamps(doc, 0, 900)
        version.update(
            ID=new_id(),
            documentID=doc["ID"],
            version="1",
            fileName=doc["name"],
            fileSize=rng.randrange(1000, 900_000),
            handle=None,
            entryDate=doc["entryDate"],
            lastUpdateDate=doc["entryDate"],
        )
        doc["currentVersionID"] = version["ID"]
        documents.append(doc)
        versions.append(version)
    store.insert_many_raw("DOCU", documents)
    store.insert_many_raw("DOCV", versions)
    # The object types added later draw from their own generator, so the data
    # above stays what it was for a seed.
    extra = random.Random(f"demo-extra-{rng.random()}")
    _populate_more(tenant, extra, n, stamp, projects, tasks, users, roles, groups)


def _schedule(tasks: list[dict[str, Any]]) -> None:
    """Task numbers within each project, WBS, projected dates, progress status and
    hand-off dates."""
    top: dict[str, int] = {}
    kids: dict[str, int] = {}
    wbs: dict[str, str] = {}
    numbers: dict[str, int] = {}
    late_before = "2025-03-01"
    for task in tasks:
        project = task["projectID"]
        numbers[project] = numbers.get(project, 0) + 1
        task["taskNumber"] = numbers[project]
        parent = task["parentID"]
        if parent is None:
            top[project] = top.get(project, 0) + 1
            task["wbs"] = str(top[project])
        else:
            kids[parent] = kids.get(parent, 0) + 1
            task["wbs"] = f"{wbs[parent]}.{kids[parent]}"
        wbs[task["ID"]] = task["wbs"]
        task["projectedStartDate"] = task["plannedStartDate"]
        task["projectedCompletionDate"] = task["plannedCompletionDate"]
        late = task["status"] != "CPL" and task["plannedCompletionDate"] < late_before
        task["progressStatus"] = "LT" if late else "ON"
        # the hand-off date: when a started task became available to its assignee
        # (its planned start, in demo data)
        task["handoffDate"] = None if task["status"] == "NEW" else task["plannedStartDate"]


def _populate_more(
    tenant: Tenant,
    rng: random.Random,
    n: Any,
    stamp: Any,
    projects: list[dict[str, Any]],
    tasks: list[dict[str, Any]],
    users: list[dict[str, Any]],
    roles: list[dict[str, Any]],
    groups: list[dict[str, Any]],
) -> None:
    store = tenant.store
    new_id = tenant.new_id
    user_ids = [u["ID"] for u in users]

    def stamped(row: dict[str, Any], low: float = 0, high: float = 900) -> None:
        entry = rng.uniform(low, high)
        row["entryDate"] = stamp(entry)
        row["lastUpdateDate"] = stamp(entry + rng.uniform(0, 30))

    companies = []
    for i, name in enumerate(("Acme Corp", "Globex", "Initech")):
        row = _blank("CMPY")
        row.update(ID=new_id(), name=name, isPrimary=1 if i == 0 else 0, extRefID=f"C-{i + 1}")
        stamped(row, 0, 10)
        companies.append(row)
    store.insert_many_raw("CMPY", companies)
    for i, user in enumerate(users):
        store.update_raw("USER", user["ID"], {"companyID": companies[i % 3]["ID"]})
    for i, project in enumerate(projects):
        if i % 4:
            store.update_raw("PROJ", project["ID"], {"companyID": companies[i % 3]["ID"]})

    templates = []
    template_tasks = []
    for i in range(n(20, 2)):
        row = _blank("TMPL")
        row.update(
            ID=new_id(),
            name=f"{rng.choice(_VERBS)} template {i + 1}",
            description=f"Demo template {i + 1}",
            ownerID=rng.choice(user_ids),
            groupID=groups[i % len(groups)]["ID"],
            isActive=1,
            duration=float(len(_PHASES) * 5),
        )
        stamped(row, 0, 100)
        templates.append(row)
        for number, phase in enumerate(_PHASES, start=1):
            ttsk = _blank("TTSK")
            ttsk.update(
                ID=new_id(),
                name=phase,
                templateID=row["ID"],
                roleID=rng.choice(roles)["ID"],
                taskNumber=number,
                priority=rng.randrange(0, 5),
                duration=5.0,
                workRequired=float(rng.randrange(8, 80)),
                startDay=(number - 1) * 5,
                entryDate=row["entryDate"],
                lastUpdateDate=row["lastUpdateDate"],
            )
            template_tasks.append(ttsk)
    store.insert_many_raw("TMPL", templates)
    store.insert_many_raw("TTSK", template_tasks)

    notes = []
    for i in range(n(2000, 10)):
        task = tasks[(i * 7919) % len(tasks)]
        row = _blank("NOTE")
        row.update(
            ID=new_id(),
            noteText=f"{rng.choice(_VERBS)} the {rng.choice(_NOUNS)} first",
            noteObjCode="TASK",
            objID=task["ID"],
            ownerID=rng.choice(user_ids),
            projectID=task["projectID"],
            taskID=task["ID"],
            isPrivate=0,
            isReply=0,
            isDeleted=0,
        )
        row["threadID"] = row["ID"]
        stamped(row)
        notes.append(row)
        if i % 5 == 4:
            reply = dict(row)
            reply.update(
                ID=new_id(),
                noteText="Done.",
                ownerID=rng.choice(user_ids),
                parentNoteID=row["ID"],
                isReply=1,
            )
            notes.append(reply)
    store.insert_many_raw("NOTE", notes)

    expenses = []
    baselines = []
    for i, project in enumerate(projects):
        for _ in range(2):
            row = _blank("EXPNS")
            planned = float(rng.randrange(100, 10_000))
            row.update(
                ID=new_id(),
                description=rng.choice(("Travel", "Hardware", "Licences", "Catering")),
                projectID=project["ID"],
                objObjCode="PROJ",
                objID=project["ID"],
                effectiveDate=stamp(rng.uniform(0, 900)),
                plannedAmount=planned,
                actualAmount=round(planned * rng.uniform(0.5, 1.5), 2),
                isBillable=rng.randrange(0, 2),
                isReimbursable=rng.randrange(0, 2),
                enteredByID=project["ownerID"],
                lastUpdatedByID=project["ownerID"],
            )
            stamped(row)
            expenses.append(row)
        if i % 2 == 0:
            row = _blank("BSLN")
            row.update(
                ID=new_id(),
                name="Baseline 1",
                projectID=project["ID"],
                isDefault=1,
                plannedStartDate=project["plannedStartDate"],
                plannedCompletionDate=project["plannedCompletionDate"],
                projectedCompletionDate=project["plannedCompletionDate"],
                percentComplete=0.0,
                budget=project["budget"],
                entryDate=project["entryDate"],
                lastUpdateDate=project["entryDate"],
            )
            baselines.append(row)
    store.insert_many_raw("EXPNS", expenses)
    store.insert_many_raw("BSLN", baselines)
    _populate_forms_and_templates(tenant, stamp, projects, tasks, groups, template_tasks)


# Custom forms of the demo tenant: (name, the object type it is for, description)
_FORMS = (
    ("Project Intake", "PROJ", "Why the project exists and who asked for it"),
    ("Project Finance", "PROJ", "Budget codes and cost centres"),
    ("Task Automation", "TASK", "Tasks that a backend picks up"),
    ("Issue Triage", "OPTASK", "Severity and routing of issues"),
)
# The custom fields on each form, in display order
_FORM_FIELDS = {
    "Project Intake": ("Region", "Go Live", "Tags"),
    "Project Finance": ("Budget Code", "Risk Score"),
    "Task Automation": ("Region", "Effort Class"),
    "Issue Triage": ("Severity Score",),
}
# The custom fields with a fixed list of choices: (displayType, the choices)
_FIELD_CHOICES: dict[str, tuple[str, tuple[str, ...]]] = {
    "Region": ("DROPDOWN", _REGIONS),
    "Effort Class": ("RADIO", ("S", "M", "L", "XL")),
    "Tags": ("CHECKBOX", _TAGS),
}


def _populate_forms_and_templates(
    tenant: Tenant,
    stamp: Any,
    projects: list[dict[str, Any]],
    tasks: list[dict[str, Any]],
    groups: list[dict[str, Any]],
    template_tasks: list[dict[str, Any]],
) -> None:
    """Custom forms attached to some projects, tasks and issues, and projects made
    from a template (their phase tasks point to the template tasks they came from).
    Draws no random numbers, so the data made before stays what it was for a seed."""
    store = tenant.store
    new_id = tenant.new_id
    forms: dict[str, dict[str, Any]] = {}
    for name, obj_code, description in _FORMS:
        row = _blank("CTGY")
        row.pop("_de")
        row.update(
            ID=new_id(),
            name=name,
            catObjCode=obj_code,
            description=description,
            groupID=groups[0]["ID"],
            hasCalculatedFields=0,
            enteredByID=tenant.admin_id,
            lastUpdatedByID=tenant.admin_id,
            lastUpdateDate=stamp(5.0),
        )
        forms[name] = row
    store.insert_many_raw("CTGY", list(forms.values()))
    links: list[dict[str, Any]] = []
    first_form: dict[str, list[tuple[str, str]]] = {"PROJ": [], "TASK": [], "OPTASK": []}

    def attach(obj_code: str, obj_id: str, names: tuple[str, ...]) -> None:
        for order, name in enumerate(names):
            row = _blank("OBJCAT")
            row.pop("_de")
            row.update(
                ID=new_id(),
                objID=obj_id,
                objObjCode=obj_code,
                categoryID=forms[name]["ID"],
                categoryOrder=order,
            )
            links.append(row)
        first_form[obj_code].append((forms[names[0]]["ID"], obj_id))

    for i, project in enumerate(projects):
        if i % 3 == 0:
            forms_of = ("Project Intake", "Project Finance") if i % 6 == 0 else ("Project Intake",)
            attach("PROJ", project["ID"], forms_of)
    phase_tasks = [t for t in tasks if t["parentID"] is None]
    for i, task in enumerate(phase_tasks):
        if i % 5 == 0:
            attach("TASK", task["ID"], ("Task Automation",))
    issue_ids = store.query_column('SELECT "ID" FROM "OPTASK" ORDER BY rowid', ())
    for i, issue_id in enumerate(issue_ids):
        if i % 4 == 0:
            attach("OPTASK", issue_id, ("Issue Triage",))
    store.insert_many_raw("OBJCAT", links)
    for obj_code, pairs in first_form.items():
        _set_column(tenant, obj_code, "categoryID", pairs)
    _populate_form_fields(tenant, forms)

    # every fourth project was made from a template: its phase tasks come from the
    # template's tasks of the same name
    by_template: dict[str, dict[str, str]] = {}
    for ttsk in template_tasks:
        by_template.setdefault(ttsk["templateID"], {})[ttsk["name"]] = ttsk["ID"]
    template_ids = list(by_template)
    made_from: dict[str, str] = {}
    for i, project in enumerate(projects):
        if i % 4 == 1 and template_ids:
            made_from[project["ID"]] = template_ids[i % len(template_ids)]
    _set_column(tenant, "PROJ", "templateID", [(t, p) for p, t in made_from.items()])
    _set_column(
        tenant,
        "TASK",
        "templateTaskID",
        [
            (by_template[made_from[t["projectID"]]][t["name"]], t["ID"])
            for t in phase_tasks
            if t["projectID"] in made_from and t["name"] in by_template[made_from[t["projectID"]]]
        ],
    )


def _populate_form_fields(tenant: Tenant, forms: dict[str, dict[str, Any]]) -> None:
    """The demo forms' fields (CTGYPA) and the choices of the fields that have a
    fixed list (POPT). Their IDs are made from names, not drawn from the tenant's
    ID generator, so the IDs of everything else stay what they were for a seed."""
    store = tenant.store
    params = {row["name"]: row["ID"] for row in store.query('SELECT "ID", "name" FROM "PARAM"', ())}
    options: list[dict[str, Any]] = []
    for name, (display_type, choices) in _FIELD_CHOICES.items():
        store.update_raw("PARAM", params[name], {"displayType": display_type})
        for order, value in enumerate(choices):
            row = _blank("POPT")
            row.pop("_de")
            row.update(
                ID=derived_id("POPT", params[name], value),
                parameterID=params[name],
                value=value,
                label=value,
                displayOrder=order,
                isDefault=0,
                isHidden=0,
            )
            options.append(row)
    store.insert_many_raw("POPT", options)
    fields: list[dict[str, Any]] = []
    for form_name, names in _FORM_FIELDS.items():
        for order, name in enumerate(names):
            row = _blank("CTGYPA")
            row.pop("_de")
            row.update(
                ID=derived_id("CTGYPA", forms[form_name]["ID"], params[name]),
                categoryID=forms[form_name]["ID"],
                parameterID=params[name],
                displayOrder=order,
                isRequired=0,
                isInvalidExpression=0,
                rowShared=0,
            )
            fields.append(row)
    store.insert_many_raw("CTGYPA", fields)


def _set_column(tenant: Tenant, code: str, column: str, pairs: list[tuple[Any, str]]) -> None:
    """Set ``column`` to each (value, ID) pair in one pass over the table: the
    tables have no indexes while demo data loads, so one UPDATE per row would
    scan the table each time."""
    db = tenant.store.db
    db.execute('CREATE TEMP TABLE "_demo_set" ("ID" TEXT PRIMARY KEY, "v")')
    try:
        db.executemany('INSERT INTO "_demo_set" ("v", "ID") VALUES (?, ?)', pairs)
        db.execute(
            f'UPDATE "{code}" SET "{column}" = (SELECT "v" FROM "_demo_set" s '
            f'WHERE s."ID" = "{code}"."ID") WHERE "ID" IN (SELECT "ID" FROM "_demo_set")'
        )
    finally:
        db.execute('DROP TABLE "_demo_set"')


def _populate_extras(tenant: Tenant, rng: random.Random) -> None:
    """Issue owners, project currencies and help desk queues, the statuses of a
    group, approval processes (one per kind of work) and work items."""
    store = tenant.store
    db = store.db
    admin = tenant.admin_id
    # an issue's owner is the user who entered it
    db.execute('UPDATE "OPTASK" SET "ownerID" = "enteredByID"')
    projects = store.query('SELECT "ID", "ownerID" FROM "PROJ" ORDER BY rowid', ())
    # most projects have no currency (the customer's applies); one in five has one
    _set_column(
        tenant,
        "PROJ",
        "currency",
        [
            (("EUR", "GBP", "JPY")[i // 5 % 3], p["ID"])
            for i, p in enumerate(projects)
            if i % 5 == 1
        ],
    )
    # one project in ten is a help desk queue (QUED), one in twenty a public one
    queues = []
    for i, project in enumerate(projects):
        if i % 10 == 2:
            row = _blank("QUED")
            row.pop("_de")
            row.update(
                ID=derived_id("QUED", project["ID"]),
                projectID=project["ID"],
                isPublic=(i % 20 == 19 and 1) or 0,
                addOpTaskStyle="ALL",
                hasQueueTopics=0,
            )
            queues.append(row)
    store.insert_many_raw("QUED", queues)
    _set_column(tenant, "PROJ", "queueDefID", [(q["ID"], q["projectID"]) for q in queues])

    # statuses: a locked custom task status of the system, and two of a group (one
    # hidden), as Adobe's "Core API changes: Status search responses" page shows them
    groups = store.query('SELECT "ID", "name" FROM "GROUP" ORDER BY rowid', ())
    engineering = groups[0]["ID"]
    store.insert_many_raw(
        "CSTEM",
        [
            status_row("STATUS_TASK", "JET", "Custom_1", "8BC34A", equates_with="NEW", locked=True),
            status_row(
                "STATUS_TASK", "OGC", "Custom_2", "8BC34A", group_id=engineering, equates_with="NEW"
            ),
            status_row(
                "STATUS_TASK",
                "PRK",
                "Parked",
                "9E9E9E",
                group_id=engineering,
                equates_with="NEW",
                hidden=True,
            ),
            status_row(
                "STATUS_PROJ", "BLK", "Blocked", "B71C1C", group_id=engineering, equates_with="ONH"
            ),
        ],
    )

    # approval processes, one per kind of work, each with one path
    users = store.query('SELECT "ID", "homeTeamID" FROM "USER" ORDER BY rowid', ())
    demo_users = [u for u in users if u["ID"] != admin]
    role = store.query('SELECT "ID" FROM "ROLE" WHERE "name" = ?', ("Project Manager",))
    team = store.query('SELECT "ID" FROM "TEAMOB" ORDER BY rowid LIMIT 1', ())
    processes: list[dict[str, Any]] = []
    paths: list[dict[str, Any]] = []
    steps: list[dict[str, Any]] = []
    approvers: list[dict[str, Any]] = []

    def process(
        name: str,
        obj_code: str,
        target: str,
        rejected: str | None,
        issue: bool,
        stages: list[tuple[str, str, list[tuple[str, str]]]],
    ) -> str:
        proc_id = derived_id("ARVPRC", name)
        row = _blank("ARVPRC")
        row.update(
            ID=proc_id,
            name=name,
            description=f"Demo approval process for {obj_code}",
            approvalObjCode=obj_code,
            isActive=1,
            isPrivate=0,
            enteredByID=admin,
            lastUpdatedByID=admin,
            entryDate=_EPOCH.strftime("%Y-%m-%dT%H:%M:%S.000"),
            lastUpdateDate=_EPOCH.strftime("%Y-%m-%dT%H:%M:%S.000"),
        )
        processes.append(row)
        path_id = derived_id("ARVPTH", proc_id, target)
        path = _blank("ARVPTH")
        path.pop("_de")
        path.update(
            ID=path_id,
            approvalProcessID=proc_id,
            targetStatus=target,
            rejectedStatus=rejected,
            shouldCreateIssue=int(issue),
        )
        paths.append(path)
        for number, (stage, kind, who) in enumerate(stages, start=1):
            step_id = derived_id("ARVSTP", path_id, str(number))
            step = _blank("ARVSTP")
            step.pop("_de")
            step.update(
                ID=step_id,
                approvalPathID=path_id,
                name=stage,
                sequenceNumber=number,
                approvalType=kind,
            )
            steps.append(step)
            for column, value in who:
                approver = _blank("SPAPVR")
                approver.pop("_de")
                approver.update(
                    ID=derived_id("SPAPVR", step_id, column, value), approvalStepID=step_id
                )
                approver[column] = value
                approvers.append(approver)
        return proc_id

    # the processes are attached to nothing (attach one with approvalProcessID): a status
    # write on demo work behaves as it did before the demo had them
    process(
        "Project Go-Live Approval",
        "PROJ",
        "CUR",
        None,
        True,
        [
            ("Sponsor sign-off", "ONE", [("userID", admin)]),
            (
                "Finance and PMO",
                "ALL",
                [("userID", demo_users[0]["ID"]), ("userID", demo_users[1]["ID"])],
            ),
        ],
    )
    process(
        "Task Completion Review",
        "TASK",
        "CPL",
        "INP",
        False,
        [("Review", "ONE", [("userID", admin)] + ([("roleID", role[0]["ID"])] if role else []))],
    )
    process(
        "Issue Closure Approval",
        "OPTASK",
        "CLS",
        None,
        False,
        [("Triage", "ONE", [("userID", admin)] + ([("teamID", team[0]["ID"])] if team else []))],
    )
    store.insert_many_raw("ARVPRC", processes)
    store.insert_many_raw("ARVPTH", paths)
    store.insert_many_raw("ARVSTP", steps)
    store.insert_many_raw("SPAPVR", approvers)
    # work items: the assignments of the administrator and of the first demo users
    holders = [admin, *(u["ID"] for u in demo_users[:3])]
    marks = ", ".join("?" * len(holders))
    work = store.query(
        'SELECT a."ID" AS aid, a."assignedToID", a."taskID", a."opTaskID", a."projectID", '
        'a."entryDate", a."lastUpdateDate", COALESCE(t."priority", o."priority") AS priority, '
        'COALESCE(t."status", o."status") AS status, COALESCE(t."name", o."name") AS name '
        'FROM "ASSGN" a LEFT JOIN "TASK" t ON t."ID" = a."taskID" '
        'LEFT JOIN "OPTASK" o ON o."ID" = a."opTaskID" '
        f'WHERE a."assignedToID" IN ({marks}) AND COALESCE(t."ID", o."ID") IS NOT NULL '
        "ORDER BY a.rowid",
        holders,
    )
    items = []
    for assignment in work:
        task_id, issue_id = assignment["taskID"], assignment["opTaskID"]
        row = _blank("WORKITEM")
        row.pop("_de")
        row.update(
            ID=derived_id("WORKITEM", assignment["aid"]),
            userID=assignment["assignedToID"],
            objObjCode="TASK" if task_id else "OPTASK",
            objID=task_id or issue_id,
            assignmentID=assignment["aid"],
            taskID=task_id,
            opTaskID=issue_id,
            projectID=assignment["projectID"],
            priority=assignment["priority"],
            isDone=int(assignment["status"] in ("CPL", "CLS")),
            isDead=0,
            isMarkedAsViewed=int(rng.random() < 0.3),
            referenceObjectName=assignment["name"],
            entryDate=assignment["entryDate"],
            lastUpdateDate=assignment["lastUpdateDate"],
        )
        items.append(row)
    store.insert_many_raw("WORKITEM", items)
