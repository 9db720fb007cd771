"""Error messages in Norwegian bokmål and English (src/homeoffice/messages.yaml)."""

from __future__ import annotations

import ast
import re
from importlib import resources
from pathlib import Path

import pytest
import yaml

import homeoffice
from homeoffice.errors import (
    AnswersError,
    HomeofficeError,
    InstrumentError,
    PolicyError,
    Where,
    catalogue,
    check_catalogue,
    placeholders,
)
from homeoffice.instruments import load_instrument

SRC = Path(homeoffice.__file__).parent
CODE = re.compile(r"^[a-z]+(_[a-z]+)*$")


def _raw() -> dict:
    return yaml.safe_load(resources.files("homeoffice").joinpath("messages.yaml").read_text(encoding="utf-8"))


def _constants(node: ast.AST) -> list[str]:
    """String constants of a code argument: a literal, or both branches of ``a if x else b``."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, ast.IfExp):
        return _constants(node.body) + _constants(node.orelse)
    return []


def raised_codes() -> dict[str, str]:
    """Every error code written at a raise site in src (web has its own texts): code -> file:line."""
    found: dict[str, str] = {}
    for path in sorted(SRC.rglob("*.py")):
        if "web" in path.relative_to(SRC).parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef):  # def _fail(..., code: str = "invalid_instrument")
                args = node.args.args[len(node.args.args) - len(node.args.defaults) :]
                for arg, default in zip(args, node.args.defaults, strict=True):
                    if arg.arg == "code":
                        found.update(dict.fromkeys(_constants(default), f"{path.relative_to(SRC)}:{node.lineno}"))
            if not isinstance(node, ast.Call):
                continue
            f = node.func
            name = f.id if isinstance(f, ast.Name) else f.attr if isinstance(f, ast.Attribute) else ""
            candidates: list[ast.AST] = [k.value for k in node.keywords if k.arg == "code"]
            if name == "append" and isinstance(f, ast.Attribute) and getattr(f.value, "id", "") == "problems":
                candidates += [a.elts[0] for a in node.args if isinstance(a, ast.Tuple)]  # readers: (code, mask)
            if name.endswith("Error") or name == "error":
                candidates += node.args[:1]
            elif name in ("fail", "_fail"):
                # loader: (path, key, message, code); catalogue: (key, message, code); readers: (code, message, ...)
                candidates += node.args[2:]
                if len(node.args) >= 5:
                    candidates.append(node.args[0])
            for arg in candidates:
                for value in _constants(arg):
                    if CODE.match(value):
                        found.setdefault(value, f"{path.relative_to(SRC)}:{node.lineno}")
    return found


def test_the_catalogue_loads_with_both_languages_and_matching_placeholders():
    cat = catalogue()
    assert len(cat) > 40
    for code, variants in cat.items():
        for v in variants:
            untranslatable = re.fullmatch(r"(%\(\w+\)s)+", v["en"])  # e.g. pydantic's own text
            assert v["nb"] != v["en"] or untranslatable, code
            assert placeholders(v["nb"]) == placeholders(v["en"]), code


def test_every_code_raised_in_src_has_a_message_entry():
    raw = _raw()
    known = set(raw["messages"]) | set(raw["english_only"])
    codes = raised_codes()
    assert {"bad_lang", "invalid_mapping", "unknown_scale", "missing_pair", "missing_id", "out_of_range"} <= set(codes)
    assert {"not_whole", "invalid_instrument"} <= set(codes)
    missing = {c: at for c, at in codes.items() if c not in known}
    assert not missing, f"codes without an entry in messages.yaml: {missing}"


@pytest.mark.parametrize(
    ("data", "problem"),
    [
        ({"messages": {"x": {"nb": "hei %(a)s"}}}, "exactly the keys nb and en"),
        ({"messages": {"x": {"nb": "fil %(a)s", "en": "file %(b)s"}}}, "nb uses"),
        ({"messages": {"x": [{"nb": "a", "en": "same"}, {"nb": "b", "en": "same"}]}}, "appears twice"),
        ({"messages": {"x": {"nb": " ", "en": "file"}}}, "non-empty"),
        ({"messages": {"x": {"nb": "a", "en": "b"}}, "english_only": ["x"]}, "english_only"),
        ({}, "messages"),
    ],
)
def test_a_broken_catalogue_is_rejected(data, problem):
    with pytest.raises(ValueError, match=problem):
        check_catalogue(data)


def test_describe_keeps_english_and_gives_bokmal_with_the_location():
    err = AnswersError(
        "duplicate_id",
        "the respondent id '%(id)s' appears in rows %(first)s and %(second)s; ids must be unique",
        params={"id": "17", "first": 3, "second": 9},
        where=Where(file="svar.csv", row=9, column="id", item="x1", key="k"),
    )
    assert (
        err.describe()
        == str(err)
        == (
            "file svar.csv, row 9, column 'id', item x1, at k: "
            "the respondent id '17' appears in rows 3 and 9; ids must be unique"
        )
    )
    assert err.describe("nb") == (
        "fil svar.csv, rad 9, kolonne 'id', spørsmål x1, ved k: "
        "respondent-id-en '17' står i rad 3 og 9; id-er må være unike"
    )


def test_errors_raised_by_the_package_come_out_in_bokmal():
    with pytest.raises(InstrumentError) as info:
        load_instrument("nope")
    assert info.value.describe("nb").startswith("ukjent instrument 'nope'; innebygde: ")
    assert info.value.describe("en").startswith("unknown instrument 'nope'; built in: ")


def test_a_wording_missing_from_the_catalogue_stays_english():
    err = PolicyError("bad_cut", "a wording nobody catalogued: %(x)s", params={"x": 5})
    assert err.describe("nb") == err.describe("en") == "a wording nobody catalogued: 5"
    plain = HomeofficeError("out_of_range", "item q1 must be 1-5", where=Where(file="a.csv", row=2))
    assert plain.describe("nb") == "fil a.csv, rad 2: item q1 must be 1-5"
