"""The user guide in docs/ is complete and consistent (style.md section 6: check names, not sentences).

Every page exists in Norwegian bokmål and English and links its twin; the index links every page;
relative links and their anchors resolve; the pages name every cut policy, every CLI verb and its
options, every scale and composite id of the built-in instruments and every measure id of the
built-in catalogue, all read from the code so that a new one fails here until it is documented; the
PWE-index caveat is present in both languages; and every YAML example loads with the real loaders.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import typer.main
import yaml

from homeoffice.classification import POLICIES, reference_policy
from homeoffice.cli import app
from homeoffice.instruments import builtin_ids, load_instrument, load_instrument_file

DOCS = Path(__file__).resolve().parents[1] / "docs"

# English page -> its Norwegian twin.
PAGES = {
    "model.md": "modellen.md",
    "instruments.md": "instrumenter.md",
    "thesis-sample.md": "masteroppgave-eksempel.md",
    "cli.md": "kommandolinje.md",
    "measures.md": "tiltak.md",
    "anonymity.md": "anonymitet.md",
    "staff.md": "for-ansatte-i-hr.md",
}
PAIRS = list(PAGES.items())

CAVEAT = {
    "en": "The PWE index is this product's own operationalisation of the thesis (2023), not a validated scale.",
    "nb": "PWE-indeksen er produktets egen operasjonalisering av masteroppgaven (2023), ikke en validert skala.",
}

LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)\)")
FENCE = re.compile(r"^```(\w*)\n(.*?)^```", re.M | re.S)


def page(lang: str, name: str) -> str:
    return (DOCS / lang / name).read_text(encoding="utf-8")


def both(en_name: str) -> dict[str, str]:
    return {"en": page("en", en_name), "nb": page("nb", PAGES[en_name])}


def all_pages() -> list[Path]:
    return sorted(DOCS.rglob("*.md"))


def slug(heading: str) -> str:
    """GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens."""
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


def anchors(text: str) -> set[str]:
    body = FENCE.sub("", text)
    return {slug(m[1]) for m in re.finditer(r"^#{1,6}\s+(.+?)\s*$", body, re.M)}


def section(text: str, heading: str) -> str:
    """The text under a level-2 heading, up to the next level-2 heading."""
    marker = f"## {heading}\n"
    if marker not in text:
        pytest.fail(f"no section '## {heading}'")
    start = text.index(marker)
    end = text.find("\n## ", start + 1)
    return text[start : end if end != -1 else len(text)]


def cli_commands() -> list:
    """(command path, long option names) for every leaf command of the CLI, as pytest params."""
    out = []

    def walk(cmd, prefix: tuple[str, ...]) -> None:
        subs = getattr(cmd, "commands", {}) or {}
        for name, sub in subs.items():
            path = (*prefix, name)
            if getattr(sub, "commands", None):
                walk(sub, path)
            else:
                opts = [
                    o
                    for p in sub.params
                    if p.param_type_name == "option"
                    for o in (*p.opts, *getattr(p, "secondary_opts", ()))
                    if o.startswith("--")
                ]
                out.append(pytest.param(path, opts, id=" ".join(path)))

    walk(typer.main.get_command(app), ())
    return out


@pytest.mark.parametrize(("en", "nb"), PAIRS)
def test_every_page_exists_in_both_languages(en, nb):
    assert (DOCS / "en" / en).is_file(), f"docs/en/{en} is missing"
    assert (DOCS / "nb" / nb).is_file(), f"docs/nb/{nb} is missing"


@pytest.mark.parametrize(("en", "nb"), PAIRS)
def test_twins_link_each_other(en, nb):
    assert f"](../nb/{nb})" in page("en", en), f"docs/en/{en} does not link docs/nb/{nb}"
    assert f"](../en/{en})" in page("nb", nb), f"docs/nb/{nb} does not link docs/en/{en}"


@pytest.mark.parametrize(("en", "nb"), PAIRS)
def test_twins_have_the_same_structure(en, nb):
    """Same content in both languages: as many sections, subsections and code examples."""
    texts = both(en)

    def shape(text: str) -> tuple[int, int, int]:
        body = FENCE.sub("", text)
        return (len(re.findall(r"^## ", body, re.M)), len(re.findall(r"^### ", body, re.M)), len(FENCE.findall(text)))

    assert shape(texts["en"]) == shape(texts["nb"])


def test_index_links_every_page():
    index = (DOCS / "README.md").read_text(encoding="utf-8")
    for en, nb in PAIRS:
        assert f"](en/{en})" in index, en
        assert f"](nb/{nb})" in index, nb


@pytest.mark.parametrize("path", all_pages(), ids=lambda p: str(p.relative_to(DOCS)))
def test_relative_links_and_anchors_resolve(path):
    text = path.read_text(encoding="utf-8")
    for target in LINK.findall(FENCE.sub("", text)):
        if re.match(r"^[a-z]+:", target):
            continue
        file, _, anchor = target.partition("#")
        dest = (path.parent / file).resolve() if file else path
        assert dest.is_file(), f"{path.name}: link to missing file {target}"
        if anchor:
            assert anchor in anchors(dest.read_text(encoding="utf-8")), f"{path.name}: no heading for {target}"


@pytest.mark.parametrize("lang", ["en", "nb"])
def test_caveat_sentence_is_present(lang):
    model = page(lang, "model.md" if lang == "en" else PAGES["model.md"])
    assert CAVEAT[lang] in model
    assert CAVEAT[lang] in (DOCS / "README.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("policy", POLICIES)
def test_every_cut_policy_is_documented(policy):
    for en in ("model.md", "cli.md"):
        for lang, text in both(en).items():
            assert f"`{policy}`" in text, f"{lang} twin of {en} does not name the cut policy {policy}"


@pytest.mark.parametrize(("path", "options"), cli_commands())
def test_every_cli_command_and_option_is_documented(path, options):
    command = "homeoffice " + " ".join(path)
    for lang, text in both("cli.md").items():
        body = section(text, f"`{command}`")
        for opt in options:
            assert f"`{opt}`" in body, f"{lang} CLI page: {command} does not document {opt}"


def test_root_options_are_documented():
    root = typer.main.get_command(app)
    options = [o for p in root.params if p.param_type_name == "option" for o in p.opts if o.startswith("--")]
    assert options
    for text in both("cli.md").values():
        for opt in options:
            assert opt in text


@pytest.mark.parametrize("instrument_id", builtin_ids())
def test_every_scale_and_composite_id_is_documented(instrument_id):
    ins = load_instrument(instrument_id)
    texts = both("instruments.md")
    assert f"`{instrument_id}`" in texts["en"] and f"`{instrument_id}`" in texts["nb"]
    for score_id in ins.score_ids:
        for lang, text in texts.items():
            assert f"`{score_id}`" in text, f"{lang} instruments page does not name {instrument_id} scale {score_id}"


def test_every_measure_id_is_documented():
    from homeoffice.measures.catalogue import load_catalogue

    ids = [m.id for m in load_catalogue().spec.measures]
    assert ids
    for lang, text in both("measures.md").items():
        missing = [i for i in ids if f"`{i}`" not in text]
        assert not missing, f"{lang} measures page does not name {missing}"


def _yaml_blocks():
    for path in all_pages():
        for lang, body in FENCE.findall(path.read_text(encoding="utf-8")):
            if lang == "yaml":
                yield pytest.param(path, body, id=str(path.relative_to(DOCS)))


@pytest.mark.parametrize(("path", "body"), list(_yaml_blocks()))
def test_yaml_examples_load(path, body, tmp_path):
    """Instrument, norm-table, mapping and catalogue examples pass the real file loaders."""
    data = yaml.safe_load(body)
    assert isinstance(data, dict)
    example = tmp_path / "example.yaml"
    example.write_text(body, encoding="utf-8")
    if "items" in data and "scoring" in data:
        load_instrument_file(example)
    elif "cuts" in data:
        assert reference_policy(example).source
    elif "measures" in data:
        from homeoffice.measures.catalogue import load_catalogue_file

        load_catalogue_file(example)
    elif {"columns", "labels", "id_column"} & set(data):
        from homeoffice.io import load_mapping
        from homeoffice.io.labels import check_mapping_labels

        # The mapping examples are written for the thesis instrument's items and response sets.
        check_mapping_labels(load_instrument("thesis-2023"), load_mapping(example))
