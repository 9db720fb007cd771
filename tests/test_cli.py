"""The command line: verbs, JSON shapes (a public interface) and exit status 2 for user errors."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from typer.testing import CliRunner

from homeoffice.cli import app

runner = CliRunner()


def run(*args: str):
    return runner.invoke(app, list(args))


@pytest.fixture
def t42(tmp_path):
    path = tmp_path / "t42.csv"
    assert run("sample", "thesis-2023", "--out", str(path)).exit_code == 0
    return path


def test_instruments_list_json():
    result = run("instruments", "list", "--json")
    assert result.exit_code == 0, result.output
    ids = {r["id"] for r in json.loads(result.stdout)}
    assert {"thesis-2023", "standard"} <= ids


def test_instruments_show_json_shape():
    result = run("instruments", "show", "standard", "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    item = data["items"][0]
    assert {"id", "scale", "reverse", "min", "max", "na_codes", "text"} <= set(item)
    assert set(item["text"]) == {"nb", "en"}
    scale = data["scales"][0]
    assert {"id", "items", "direction"} <= set(scale)
    assert {c["id"] for c in data["composites"]} == {"demands", "control", "support"}
    perf = next(i for i in data["items"] if i["id"] == "perf_self")
    assert (perf["min"], perf["max"]) == (0, 10)


@pytest.mark.parametrize(
    ("lang_args", "expected"),
    [((), "Feil: ukjent instrument 'nope'"), (("--lang", "en"), "Error: unknown instrument 'nope'")],
)
def test_instruments_show_unknown_is_exit_2(lang_args, expected):
    result = run("instruments", "show", "nope", *lang_args)
    assert result.exit_code == 2
    assert expected in result.output


@pytest.mark.parametrize("ext", ["csv", "xlsx", "parquet", "json"])
def test_score_writes_every_format(t42, tmp_path, ext):
    out = tmp_path / f"scores.{ext}"
    result = run("score", str(t42), "-i", "thesis-2023", "--out", str(out))
    assert result.exit_code == 0, result.output
    if ext == "csv":
        df = pd.read_csv(out)
    elif ext == "xlsx":
        df = pd.read_excel(out)
    elif ext == "parquet":
        df = pd.read_parquet(out).reset_index()
    else:
        df = pd.DataFrame(json.loads(out.read_text()))
    assert len(df) == 8
    assert list(df["situation"]) == [3, 3, 3, 1, 4, 3, 4, 4]


def test_score_unknown_output_format_is_exit_2(t42, tmp_path):
    result = run("score", str(t42), "-i", "thesis-2023", "--out", str(tmp_path / "scores.docx"))
    assert result.exit_code == 2
    assert "docx" in result.output


def test_score_missing_input_is_exit_2(tmp_path):
    result = run("score", str(tmp_path / "none.csv"), "-i", "thesis-2023", "--out", str(tmp_path / "o.csv"))
    assert result.exit_code == 2
    assert "none.csv" in result.output


def test_score_bad_value_names_row_and_column(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text(
        "informant,familiarity,positivity,negative_experiences,influence,positive_influence,"
        "increased_demands,increased_control,increased_support\n1,5,4,1,4,5,1,4,2\n2,5,4,1,9,5,1,4,2\n"
    )
    result = run("score", str(path), "-i", "thesis-2023", "--out", str(tmp_path / "o.csv"))
    assert result.exit_code == 2
    assert "rad 3, kolonne 'influence'" in result.output
    assert not (tmp_path / "o.csv").exists()
    result = run("score", str(path), "-i", "thesis-2023", "--out", str(tmp_path / "o.csv"), "--lang", "en")
    assert result.exit_code == 2
    assert "row 3, column 'influence'" in result.output


def test_score_missing_file_is_reported_in_the_chosen_language(tmp_path):
    args = ("score", str(tmp_path / "none.csv"), "-i", "thesis-2023", "--out", str(tmp_path / "o.csv"))
    nb, en = run(*args), run(*args, "--lang", "en")
    assert nb.exit_code == en.exit_code == 2
    assert "fant ikke filen" in nb.output
    assert "file not found" in en.output


def test_custom_and_reference_cut_policies(t42, tmp_path):
    out = tmp_path / "o.json"
    result = run(
        "score",
        str(t42),
        "-i",
        "thesis-2023",
        "--cut-policy",
        "custom",
        "--cuts",
        "demands=50,control=50,support=50,pwe=60,productivity=80",
        "--out",
        str(out),
    )
    assert result.exit_code == 0, result.output
    records = json.loads(out.read_text())
    assert records[0]["cut_pwe"] == 60 and records[0]["cut_policy"] == "custom"
    # informant 7: PWE 87.5 but productivity 87.5 > 80 -> still 4; informant 1 productivity 87.5, PWE 50 -> 3
    assert [r["situation"] for r in records][:2] == [3, 3]
    norms = tmp_path / "norms.yaml"
    norms.write_text(
        "source: Illustrative norm table\ncuts: {demands: 50, control: 50, support: 50, pwe: 40, productivity: 40}\n"
    )
    result = run(
        "score",
        str(t42),
        "-i",
        "thesis-2023",
        "--cut-policy",
        "reference",
        "--norm-table",
        str(norms),
        "--out",
        str(out),
    )
    assert result.exit_code == 0, result.output
    records = json.loads(out.read_text())
    assert records[0]["cut_source"] == "Illustrative norm table"
    assert records[0]["situation"] == 4  # PWE 50 > 40 and productivity 87.5 > 40


def test_bad_cut_options_are_exit_2(t42, tmp_path):
    out = str(tmp_path / "o.csv")
    assert run("score", str(t42), "-i", "thesis-2023", "--cut-policy", "median", "--out", out).exit_code == 2
    result = run("score", str(t42), "-i", "thesis-2023", "--cut-policy", "custom", "--cuts", "pwe=x", "--out", out)
    assert result.exit_code == 2 and "pwe=x" in result.output
    result = run("score", str(t42), "-i", "thesis-2023", "--cut-policy", "reference", "--out", out)
    assert result.exit_code == 2 and "--norm-table" in result.output


def test_sample_median_policy_from_cli(t42, tmp_path):
    out = tmp_path / "o.json"
    result = run("score", str(t42), "-i", "thesis-2023", "--cut-policy", "sample_median", "--out", str(out))
    assert result.exit_code == 0, result.output
    records = json.loads(out.read_text())
    assert records[0]["cut_policy"] == "sample_median"
    # PWE 37.5, 50 x4, 87.5 x2, 100 -> median 50; productivity median 87.5; ties are not high
    assert records[0]["cut_pwe"] == 50 and records[0]["cut_productivity"] == 87.5
    assert [r["situation"] for r in records] == [1, 3, 1, 1, 4, 1, 2, 4]


def test_describe_table_in_norwegian(t42):
    result = run("describe", str(t42), "-i", "thesis-2023", "--lang", "nb")
    assert result.exit_code == 0, result.output
    assert "vanligst" in result.output and "Positivitet knyttet til hjemmekontor" in result.output


def test_recommend_for_one_respondent_json(t42):
    result = run("recommend", str(t42), "-i", "thesis-2023", "--respondent", "4", "--lang", "en", "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["situation"] == 1 and data["respondent_id"] == "4"
    first = data["recommendations"][0]
    assert {"measure_id", "rank", "title", "because", "actor", "evidence"} <= set(first)
    assert "Situation 1" in first["because"]


def test_recommend_for_the_group_json(t42):
    result = run("recommend", str(t42), "-i", "thesis-2023", "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["n"] == 8
    shares = {s["situation"]: s["share"] for s in data["situations"]}
    assert shares[3] == 0.5 and shares[1] == 0.125 and shares[4] == 0.375
    assert data["measures"][0]["rank"] == 1


def test_recommend_unknown_respondent_is_exit_2(t42):
    result = run("recommend", str(t42), "-i", "thesis-2023", "--respondent", "99")
    assert result.exit_code == 2 and "99" in result.output


def test_chart_svg_in_english(t42, tmp_path):
    out = tmp_path / "model.svg"
    result = run("chart", str(t42), "-i", "thesis-2023", "--out", str(out), "--lang", "en")
    assert result.exit_code == 0, result.output
    svg = out.read_text()
    assert "Psychosocial work environment" in svg


def test_chart_bad_extension_is_exit_2(t42, tmp_path):
    result = run("chart", str(t42), "-i", "thesis-2023", "--out", str(tmp_path / "model.gif"))
    assert result.exit_code == 2


def test_bad_language_is_exit_2(t42):
    result = run("describe", str(t42), "-i", "thesis-2023", "--lang", "de")
    assert result.exit_code == 2 and "nb eller en" in result.output


def test_demo_writes_the_result_folder(tmp_path):
    out = tmp_path / "demo"
    result = run("demo", "--out", str(out), "--lang", "en")
    assert result.exit_code == 0, result.output
    for name in (
        "thesis-2023/scores.csv",
        "thesis-2023/descriptives.csv",
        "thesis-2023/measures.json",
        "thesis-2023/dynamic-model.png",
        "thesis-2023/dynamic-model.pdf",
        "standard-synthetic/scores.parquet",
        "standard-synthetic/dynamic-model.png",
    ):
        assert (out / name).stat().st_size > 0, name
    assert str(out) in result.output.replace("\n", "")
    scores = pd.read_csv(out / "thesis-2023/scores.csv")
    assert list(scores["situation"]) == [3, 3, 3, 1, 4, 3, 4, 4]


def test_describe_writes_decimal_commas_in_norwegian(t42):
    nb = run("describe", str(t42), "-i", "thesis-2023", "--lang", "nb").output
    en = run("describe", str(t42), "-i", "thesis-2023", "--lang", "en").output
    assert "4,38" in nb and "3; 4" in nb and "4.38" not in nb
    assert "4.38" in en and "3, 4" in en
