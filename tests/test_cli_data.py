"""The data verbs of the command line: ``homeoffice export`` and ``homeoffice import``."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pandas as pd
import pyreadstat
import pytest
from typer.testing import CliRunner

from homeoffice.cli import app
from homeoffice.instruments import load_instrument
from homeoffice.io import load_mapping, read_answers
from homeoffice.pipeline import score_table
from homeoffice.samples.synthetic import synthetic_answers

FIXTURES = Path(__file__).parent / "io" / "fixtures"
runner = CliRunner()


def run(*args: object):
    return runner.invoke(app, [str(a) for a in args])


@pytest.fixture
def answers_csv(tmp_path):
    standard = load_instrument("standard")
    frame = synthetic_answers(standard, 25, seed=5).to_pandas()
    frame.loc[1, "soc2"] = 9
    frame.insert(1, "unit", ["Drift", "Utvikling"] * 12 + ["Drift"])
    path = tmp_path / "answers.csv"
    frame.to_csv(path, index=False)
    return path


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "sav", "parquet"])
def test_export_writes_data_and_codebook(tmp_path, answers_csv, fmt):
    out = tmp_path / f"data.{fmt}"
    result = run("export", answers_csv, "-i", "standard", "--format", fmt, "--out", out, "--lang", "en")
    assert result.exit_code == 0, result.output
    assert out.exists() and (tmp_path / "data-codebook.csv").exists()
    assert "Exported 25 respondents" in result.output
    book = pd.read_csv(tmp_path / "data-codebook.csv")
    assert "unit" in set(book["name"]) and "pwe_index" in set(book["name"])


def test_export_then_import_gives_identical_answers_and_scores(tmp_path, answers_csv):
    standard = load_instrument("standard")
    original = read_answers(answers_csv, standard)
    before = score_table(original.codes, standard, index=original.respondent_id, context=original.context)
    assert run("export", answers_csv, "-i", "standard", "--out", tmp_path / "d.sav").exit_code == 0
    result = run("import", tmp_path / "d.sav", "-i", "standard", "--out", tmp_path / "back.csv")
    assert result.exit_code == 0, result.output
    assert "Importerte 25 respondenter" in result.output
    back = read_answers(tmp_path / "back.csv", standard)
    np.testing.assert_array_equal(back.codes, original.codes)
    assert back.not_applicable.loc["2", "soc2"] == 9
    pd.testing.assert_series_equal(back.unit, original.unit)
    after = score_table(back.codes, standard, index=back.respondent_id, context=back.context)
    pd.testing.assert_frame_equal(after, before, check_exact=True)
    _, meta = pyreadstat.read_sav(str(tmp_path / "d.sav"), metadataonly=True)
    assert meta.column_names_to_labels["soc2"] == standard.items_by_id["soc2"].text.nb


def test_export_of_scale_means_is_refused(tmp_path):
    assert run("sample", "thesis-2023", "--out", tmp_path / "t42.csv").exit_code == 0
    result = run("export", tmp_path / "t42.csv", "-i", "thesis-2023", "--out", tmp_path / "x.csv")
    assert result.exit_code == 2
    assert "skalagjennomsnitt" in result.output and not (tmp_path / "x.csv").exists()


@pytest.mark.parametrize(
    ("name", "preset"),
    [("qualtrics.csv", "qualtrics"), ("limesurvey.csv", "limesurvey"), ("msforms.xlsx", "msforms"),
     ("nettskjema.csv", "nettskjema")],
)  # fmt: skip
def test_import_each_tool_export(tmp_path, name, preset):
    out = tmp_path / "answers.csv"
    result = run("import", FIXTURES / name, "-i", "thesis-2023", "--preset", preset, "--out", out, "--lang", "en")
    assert result.exit_code == 0, result.output
    assert f"Columns ({preset}): 17 matched" in result.output
    back = read_answers(out, load_instrument("thesis-2023"))
    assert back.codes.shape == (4, 17)


def test_import_of_a_bad_file_lists_every_problem_and_writes_nothing(tmp_path):
    rows = list(csv.reader((FIXTURES / "qualtrics.csv").open(encoding="utf-8")))
    rows[3][17] = "6"  # Q1 out of range, line 4
    rows[5][20] = "Very much indeed"  # Q4, line 6
    rows[6][8] = rows[5][8]  # ResponseId repeated, line 7
    bad = tmp_path / "bad.csv"
    with bad.open("w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows(rows)
    out = tmp_path / "answers.csv"
    result = run(
        "import", bad, "-i", "thesis-2023", "--out", out, "--lang", "en", "--save-mapping", tmp_path / "m.yaml"
    )
    assert result.exit_code == 2
    assert not out.exists()
    text = " ".join(result.output.split())
    assert "row 4, column 'Q1', item fam1: 6 lies outside item fam1's codes 1 to 5" in text
    assert "row 6, column 'Q4', item pos2: 'Very much indeed' is no answer to item pos2" in text
    assert "row 7, column 'ResponseId': the respondent id" in text
    assert "3 problem(s); nothing was imported" in text
    # the proposed mapping is saved so that the user can fix it and run again
    saved = (tmp_path / "m.yaml").read_text(encoding="utf-8")
    assert "'Very much indeed'" in saved and "labels:" in saved
    assert load_mapping(tmp_path / "m.yaml").header_rows == 3
    nb = run("import", bad, "-i", "thesis-2023", "--out", out)
    assert nb.exit_code == 2
    assert "rad 4, kolonne 'Q1', spørsmål fam1: 6 ligger utenfor kodene 1 til 5" in " ".join(nb.output.split())
    assert "ingenting ble importert" in nb.output


def test_import_reuses_a_saved_mapping(tmp_path):
    rows = list(csv.reader((FIXTURES / "limesurvey.csv").open(encoding="utf-8")))
    rows[0][5] = "Q1"
    src = tmp_path / "ls.csv"
    with src.open("w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows(rows)
    first = run("import", src, "-i", "thesis-2023", "--out", tmp_path / "a.csv", "--save-mapping", tmp_path / "m.yaml")
    assert first.exit_code == 2 and "Q1" in first.output
    mapping = (tmp_path / "m.yaml").read_text(encoding="utf-8").replace("columns:\n", "columns:\n  Q1: fam1\n", 1)
    (tmp_path / "m.yaml").write_text(mapping, encoding="utf-8")
    second = run("import", src, "-i", "thesis-2023", "--mapping", tmp_path / "m.yaml", "--out", tmp_path / "a.csv")
    assert second.exit_code == 0, second.output
    assert (tmp_path / "a.csv").exists()


def test_import_names_an_unknown_preset(tmp_path):
    result = run(
        "import", FIXTURES / "qualtrics.csv", "-i", "thesis-2023", "--preset", "typeform", "--out", tmp_path / "a.csv"
    )
    assert result.exit_code == 2
    assert "ukjent forhåndsinnstilling 'typeform'" in result.output


def test_import_of_scale_means_is_refused(tmp_path):
    assert run("sample", "thesis-2023", "--out", tmp_path / "t42.csv").exit_code == 0
    result = run("import", tmp_path / "t42.csv", "-i", "thesis-2023", "--out", tmp_path / "x.csv", "--lang", "en")
    assert result.exit_code == 2
    assert "only item answers can be imported" in " ".join(result.output.split())
    assert not (tmp_path / "x.csv").exists()
