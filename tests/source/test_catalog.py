"""The source catalogue is checked against its schema when it is loaded: a typo is an error."""

from __future__ import annotations

import tomllib
from importlib import resources

import pytest

from portaudit.inputs.source import catalog

ENTRY = {"id": "x", "langs": ["java"], "names": ["listen"], "handler": "hostport"}


def _doc(**over):
    raw = dict(ENTRY)
    raw.update(over)
    return {"api": [raw]}


def test_the_shipped_catalogue_loads_and_uses_only_known_handlers():
    specs = catalog.catalogue()
    assert len(specs) > 40
    assert {s.handler for s in specs} <= set(catalog.HANDLERS)


@pytest.mark.parametrize("over, needle", [
    ({"prot": 1}, "unknown key 'prot'"),  # a typo of "port"
    ({"handler": "hostpot"}, "unknown handler 'hostpot'"),
    ({"langs": ["jav"]}, "unknown language"),
    ({"port": "1"}, "port must be int"),
    ({"default": "all"}, "default must be one of"),
    ({"default": "all-interfaces"}, "needs default_doc"),
    ({"kinds": ["neu"]}, "unknown call kind"),
    ({"match": "("}, "not a regular expression"),
    ({"unix_if_name": "unix"}, "unknown key 'unix_if_name'"),  # an option of no handler
])
def test_a_typo_is_an_error(over, needle):
    with pytest.raises(catalog.CatalogError, match=needle):
        catalog.parse(_doc(**over))


def test_handler_options_are_allowed_only_for_their_handler():
    catalog.parse(_doc(handler="setter_server", host_setters=["setHost"]))
    with pytest.raises(catalog.CatalogError, match="unknown key 'host_setters'"):
        catalog.parse(_doc(host_setters=["setHost"]))


def test_class_and_factory_sections_are_checked():
    with pytest.raises(catalog.CatalogError, match=r"\[\[class\]\]"):
        catalog.parse({"api": [], "class": [{"name": "a.B", "supers": [], "doc": "x", "flunet": []}]})
    with pytest.raises(catalog.CatalogError, match=r"\[\[factory\]\]"):
        catalog.parse({"api": [], "factory": [{"call": "a.B.c", "returns": "a.B"}]})
    with pytest.raises(catalog.CatalogError, match="unknown section"):
        catalog.parse({"apis": []})


def test_every_default_names_its_source():
    with resources.files("portaudit.catalog").joinpath("source/apis.toml").open("rb") as fh:
        raw = tomllib.load(fh)
    for entry in raw["api"]:
        if entry.get("default") in ("all-interfaces", "loopback"):
            assert len(entry["default_doc"]) > 20, entry["id"]


def test_every_entry_has_a_literal_anchor_for_the_prefilter():
    """A file is parsed only if it contains one of an entry's anchors: an entry without any would
    never be found."""
    for lang in catalog.LANGS:
        for anchors, _rx in catalog._triggers(lang):
            assert anchors, lang
