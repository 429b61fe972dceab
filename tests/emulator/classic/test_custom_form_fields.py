"""Custom fields (PARAM), their choices (POPT) and the fields of a custom form
(CTGYPA) in the embedded Workfront.

Raw HTTP against the embedded Workfront. Sources: the real object metadata recorded
in python-workfront's generated ``workfront/versions/v40.py`` and ``unsupported.py``
(classes Parameter, ParameterOption, CategoryParameter, Category), Adobe's API object
page "Category" (experienceleague.adobe.com, .../workfrtont-object-descriptions/
category), what workfront-sdk 0.25 asks for (``workfront/objects/custom_form.py``:
``categoryParameters:parameter:*`` and ``ID,name,isActive`` on CTGY; ``parameter.py``:
``parameterOptions:*``), docs/api-notes.md §4 "Metadata" and "fields".
"""

from __future__ import annotations

from typing import Any

import httpx
import orjson

from workfront_async.testing import Emulator

from .conftest import BASE, Api, ok


def refused(response: httpx.Response, *words: str) -> str:
    assert response.status_code in (400, 422), response.text
    message: str = response.json()["error"]["message"]
    for word in words:
        assert word in message, message
    return message


def updates(data: dict[str, Any]) -> dict[str, str]:
    return {"updates": orjson.dumps(data).decode()}


async def param_named(wf: Api, name: str) -> dict[str, Any]:
    found = ok(await wf.get("/param/search", {"name": name, "fields": "*"}))
    assert len(found) == 1, found
    row: dict[str, Any] = found[0]
    return row


# -- metadata --------------------------------------------------------------------------


async def test_metadata_lists_the_real_fields(wf: Api) -> None:
    # v40.py class Parameter: these fields, no entryDate and no label
    param = ok(await wf.get("/param/metadata"))
    assert (param["objCode"], param["name"]) == ("PARAM", "Parameter")
    real = {
        "dataType",
        "description",
        "displaySize",
        "displayType",
        "extRefID",
        "formatConstraint",
        "isRequired",
        "lastUpdateDate",
        "lastUpdatedByID",
        "name",
    }
    assert real <= set(param["fields"])
    assert not {"entryDate", "label", "isActive"} & set(param["fields"])
    assert param["collections"]["parameterOptions"]["typeObjCode"] == "POPT"
    # v40.py class ParameterOption
    option = ok(await wf.get("/popt/metadata"))
    assert {"parameterID", "value", "label", "displayOrder", "isDefault", "isHidden"} <= set(
        option["fields"]
    )
    assert option["references"]["parameter"]["typeObjCode"] == "PARAM"
    # v40.py class CategoryParameter: parameterGroupID (not categoryParameterGroupID)
    link = ok(await wf.get("/ctgypa/metadata"))
    assert {"categoryID", "parameterID", "displayOrder", "parameterGroupID", "isRequired"} <= set(
        link["fields"]
    )
    assert link["references"]["parameter"]["typeObjCode"] == "PARAM"
    assert link["references"]["category"]["typeObjCode"] == "CTGY"
    # v40.py class Category: the collection categoryParameters; no isActive there,
    # in unsupported.py or on Adobe's Category page
    form = ok(await wf.get("/ctgy/metadata"))
    assert form["collections"]["categoryParameters"]["typeObjCode"] == "CTGYPA"
    assert "isActive" not in form["fields"]
    index = ok(await wf.get("/metadata"))["objects"]
    assert {"PARAM", "POPT", "CTGYPA"} <= set(index)
    # the long names resolve as the short ones
    for long, short in (("parameter", "param"), ("categoryParameter", "ctgypa")):
        assert ok(await wf.get(f"/{long}/count")) == ok(await wf.get(f"/{short}/count"))


async def test_asking_a_form_for_is_active_is_refused(wf: Api) -> None:
    # workfront-sdk's get_custom_forms asks for ID,name,isActive; CTGY has no such field
    response = await wf.get("/ctgy/search", {"fields": "ID,name,isActive"})
    refused(response, "isActive")


# -- the tenant's custom fields are PARAM rows ----------------------------------------


async def test_every_demo_custom_field_is_a_param(wf: Api) -> None:
    custom = ok(await wf.get("/proj/metadata"))["custom"]
    assert custom
    data_types = {"string": {"TEXT"}, "string[]": {"TEXT"}, "double": {"NMBR", "CURC"}}
    data_types["dateTime"] = {"DATE"}
    for de_name, entry in custom.items():
        param = await param_named(wf, de_name[3:])
        assert param["name"] == de_name[3:]
        assert param["dataType"] in data_types[entry["fieldType"]], (de_name, param)
    assert (await param_named(wf, "Risk Score"))["dataType"] == "NMBR"
    assert (await param_named(wf, "Go Live"))["dataType"] == "DATE"


async def test_define_custom_field_makes_a_param() -> None:
    emu = Emulator()
    async with httpx.AsyncClient(transport=emu.transport(), base_url=BASE) as client:
        wf = Api(client, emu.api_key())
        assert ok(await wf.get("/param/search", {"name": "Cost Centre"})) == []
        emu.define_custom_field("DE:Cost Centre", "float")
        param = await param_named(wf, "Cost Centre")
        assert param["dataType"] == "NMBR"
        # defining it again with another type changes the one PARAM
        emu.define_custom_field("Cost Centre", "multi")
        again = await param_named(wf, "Cost Centre")
        assert again["ID"] == param["ID"]
        assert (again["dataType"], again["displayType"]) == ("TEXT", "CHECKBOX")
        # a value written to an undefined field defines it too
        project = ok(await wf.post("/proj", {"name": "p", "DE:Sponsor Note": "hello"}))
        assert (await param_named(wf, "Sponsor Note"))["dataType"] == "TEXT"
        got = ok(await wf.get(f"/proj/{project['ID']}", {"fields": "DE:Sponsor Note"}))
        assert got["DE:Sponsor Note"] == "hello"


# -- the demo forms' fields and the fields' choices -----------------------------------


async def test_a_form_answers_its_fields_in_display_order(wf: Api) -> None:
    # workfront-sdk WFCustomForm.get_parameters: categoryParameters:parameter:*
    forms = ok(await wf.get("/ctgy/search", {"name": "Project Intake"}))
    got = ok(
        await wf.get(f"/ctgy/{forms[0]['ID']}", {"fields": "categoryParameters:parameter:*,name"})
    )
    links = got["categoryParameters"]
    assert all(link["objCode"] == "CTGYPA" for link in links)
    params = [link["parameter"] for link in links]
    assert [p["name"] for p in params] == ["Region", "Go Live", "Tags"]
    assert all(p["objCode"] == "PARAM" and "dataType" in p for p in params)
    orders = ok(await wf.get("/ctgypa/search", {"categoryID": forms[0]["ID"], "fields": "*"}))
    assert sorted(o["displayOrder"] for o in orders) == [0, 1, 2]
    # every demo form has fields, each a defined custom field
    every = ok(await wf.get("/ctgy/search", {"fields": "categoryParameters:parameter:name"}))
    demo = {"Project Intake", "Project Finance", "Task Automation", "Issue Triage"}
    assert demo <= {form["name"] for form in every}
    custom = ok(await wf.get("/proj/metadata"))["custom"]
    for form in (f for f in every if f["name"] in demo):
        names = [link["parameter"]["name"] for link in form["categoryParameters"]]
        assert names, form["name"]
        assert all("DE:" + name in custom for name in names)


async def test_a_choice_field_answers_its_options(wf: Api) -> None:
    # workfront-sdk WFParamenter.get_value_options: parameterOptions:*
    region = await param_named(wf, "Region")
    got = ok(await wf.get(f"/param/{region['ID']}", {"fields": "parameterOptions:*,name"}))
    values = [o["value"] for o in got["parameterOptions"]]
    assert values == ["EMEA", "AMER", "APAC", "LATAM"]
    assert [o["displayOrder"] for o in got["parameterOptions"]] == [0, 1, 2, 3]
    # the demo's values of the field are among its choices
    rows = ok(await wf.get("/proj/search", {"fields": "DE:Region", "$$LIMIT": "100"}))
    used = {r["DE:Region"] for r in rows} - {None}
    assert used
    assert used <= set(values)
    tags = await param_named(wf, "Tags")
    assert tags["displayType"] == "CHECKBOX"
    assert ok(await wf.get(f"/param/{tags['ID']}", {"fields": "parameterOptions"}))[
        "parameterOptions"
    ]
    # a free-text field has none
    code = await param_named(wf, "Budget Code")
    assert (
        ok(await wf.get(f"/param/{code['ID']}", {"fields": "parameterOptions:*"}))[
            "parameterOptions"
        ]
        == []
    )


# -- writing custom fields through the API ---------------------------------------------


async def test_creating_a_param_defines_the_custom_field(wf: Api) -> None:
    made = ok(
        await wf.post(
            "/param",
            updates(
                {
                    "name": "Channel",
                    "dataType": "TEXT",
                    "displayType": "CHECKBOX",
                    "description": "Where the request came from",
                    "parameterOptions": [{"value": "Web"}, {"value": "Mail", "label": "E-mail"}],
                }
            ),
        )
    )
    assert made["objCode"] == "PARAM"
    got = ok(await wf.get(f"/param/{made['ID']}", {"fields": "parameterOptions:*"}))
    options = [(o["value"], o["label"], o["displayOrder"]) for o in got["parameterOptions"]]
    assert options == [("Web", "Web", 0), ("Mail", "E-mail", 1)]
    custom = ok(await wf.get("/proj/metadata"))["custom"]
    assert custom["DE:Channel"]["fieldType"] == "string[]"
    project = ok(await wf.post("/proj", updates({"name": "channel", "DE:Channel": ["Web"]})))
    back = ok(await wf.get(f"/proj/{project['ID']}", {"fields": "DE:Channel"}))
    assert back["DE:Channel"] == ["Web"]
    # an option added later goes last
    ok(await wf.post("/popt", {"parameterID": made["ID"], "value": "Phone"}))
    again = ok(await wf.get(f"/param/{made['ID']}", {"fields": "parameterOptions:*"}))
    last = again["parameterOptions"][-1]
    assert (last["value"], last["label"], last["displayOrder"]) == ("Phone", "Phone", 2)
    refused(await wf.post("/popt", {"parameterID": made["ID"], "value": "Web"}), "Web")


async def test_bad_custom_fields_are_refused_with_what_to_do(wf: Api) -> None:
    refused(await wf.post("/param", {"name": "Odd", "dataType": "COLOUR"}), "NMBR", "DATE")
    refused(await wf.post("/param", {"name": "DE:Prefixed"}), "'Prefixed'")
    refused(await wf.post("/param", {"name": "Region"}), "Region", "unique")
    refused(await wf.post("/param", {"dataType": "TEXT"}), "name")
    # nothing of the refused writes stays
    assert ok(await wf.get("/param/search", {"name": "Odd"})) == []
    assert "DE:Odd" not in ok(await wf.get("/proj/metadata"))["custom"]
    # a value of an unknown field in a refused write defines nothing
    refused(await wf.post("/proj", updates({"DE:Half Made": "x"})), "name")
    assert ok(await wf.get("/param/search", {"name": "Half Made"})) == []
    assert "DE:Half Made" not in ok(await wf.get("/proj/metadata"))["custom"]
    # a rename in an all-or-nothing bulk edit that fails is undone, types too
    made = ok(await wf.post("/param", {"name": "Kept Name", "dataType": "NMBR"}))
    both = [{"ID": made["ID"], "name": "Lost Name"}, {"ID": "0" * 32, "name": "x"}]
    failed = await wf.put("/param", {"updates": orjson.dumps(both).decode(), "atomic": "true"})
    assert failed.status_code == 404, failed.text
    custom = ok(await wf.get("/proj/metadata"))["custom"]
    assert custom["DE:Kept Name"]["fieldType"] == "double"
    assert "DE:Lost Name" not in custom


async def test_renaming_a_param_moves_the_values(wf: Api) -> None:
    made = ok(await wf.post("/param", {"name": "Vendor", "dataType": "TEXT"}))
    project = ok(await wf.post("/proj", {"name": "vendor", "DE:Vendor": "Acme"}))
    ok(await wf.put(f"/param/{made['ID']}", {"name": "Supplier"}))
    got = ok(await wf.get(f"/proj/{project['ID']}", {"fields": "DE:Supplier,DE:Vendor"}))
    assert (got["DE:Supplier"], got["DE:Vendor"]) == ("Acme", None)
    custom = ok(await wf.get("/proj/metadata"))["custom"]
    assert "DE:Supplier" in custom
    assert "DE:Vendor" not in custom
    found = ok(await wf.get("/proj/search", {"DE:Supplier": "Acme"}))
    assert [p["ID"] for p in found] == [project["ID"]]
    # its type does not change under its values
    message = refused(await wf.put(f"/param/{made['ID']}", {"dataType": "DATE"}), "Supplier")
    assert "new custom field" in message
    assert (await param_named(wf, "Supplier"))["dataType"] == "TEXT"


async def test_deleting_a_param_takes_its_options_places_and_values(wf: Api) -> None:
    made = ok(
        await wf.post(
            "/param",
            updates({"name": "Doomed", "parameterOptions": [{"value": "a"}, {"value": "b"}]}),
        )
    )
    options = ok(await wf.get("/popt/search", {"parameterID": made["ID"]}))
    form = ok(
        await wf.post(
            "/ctgy",
            updates(
                {
                    "name": "Doomed form",
                    "catObjCode": "PROJ",
                    "categoryParameters": [{"parameterID": made["ID"]}],
                }
            ),
        )
    )
    project = ok(await wf.post("/proj", {"name": "doomed", "DE:Doomed": "a"}))
    assert ok(await wf.delete(f"/param/{made['ID']}")) == {"success": True}
    assert (await wf.get(f"/param/{made['ID']}")).status_code == 404
    for option in options:
        assert (await wf.get(f"/popt/{option['ID']}")).status_code == 404
    got = ok(await wf.get(f"/ctgy/{form['ID']}", {"fields": "categoryParameters"}))
    assert got["categoryParameters"] == []
    values = ok(await wf.get(f"/proj/{project['ID']}", {"fields": "parameterValues"}))
    assert "DE:Doomed" not in values["parameterValues"]
    assert "DE:Doomed" not in ok(await wf.get("/proj/metadata"))["custom"]


async def test_a_form_lists_the_fields_it_is_given(wf: Api) -> None:
    one = ok(await wf.post("/param", {"name": "Form field 1"}))
    two = ok(await wf.post("/param", {"name": "Form field 2", "dataType": "NMBR"}))
    three = ok(await wf.post("/param", {"name": "Form field 3", "dataType": "DATE"}))
    form = ok(
        await wf.post(
            "/ctgy",
            updates(
                {
                    "name": "Built form",
                    "catObjCode": "TASK",
                    "categoryParameters": [{"parameterID": one["ID"]}, {"parameterID": two["ID"]}],
                }
            ),
        )
    )
    added = ok(await wf.post("/ctgypa", {"categoryID": form["ID"], "parameterID": three["ID"]}))
    assert added["objCode"] == "CTGYPA"
    got = ok(
        await wf.get(
            f"/ctgy/{form['ID']}",
            {"fields": "categoryParameters:displayOrder,categoryParameters:parameter:name"},
        )
    )
    listed = [(c["displayOrder"], c["parameter"]["name"]) for c in got["categoryParameters"]]
    assert listed == [(0, "Form field 1"), (1, "Form field 2"), (2, "Form field 3")]
    # a field once per form; a field that does not exist is refused
    duplicate = {"categoryID": form["ID"], "parameterID": one["ID"]}
    refused(await wf.post("/ctgypa", duplicate), "already")
    refused(await wf.post("/ctgypa", {"categoryID": form["ID"], "parameterID": "0" * 32}), "PARAM")
    # deleting the form deletes its list of fields, not the fields
    assert ok(await wf.delete(f"/ctgy/{form['ID']}")) == {"success": True}
    assert ok(await wf.get("/ctgypa/search", {"categoryID": form["ID"]})) == []
    assert ok(await wf.get(f"/param/{one['ID']}"))["name"] == "Form field 1"
