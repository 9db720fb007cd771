"""The ``homeoffice`` command line: the same verbs the web offers, for files on disk.

Verbs and their JSON output are a public interface; keep them stable. One wrapper turns the
product's own errors into a message on stderr and exit status 2; tracebacks never show answers.
"""

from __future__ import annotations

import json
import math
import sys
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import pandas as pd
import typer
from rich.console import Console
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from homeoffice import __version__
from homeoffice.classification import (
    JOB_SITUATION_NAMES,
    POLICIES,
    CutPolicy,
    custom_policy,
    default_policy,
    fixed_policy,
    reference_policy,
    sample_median_policy,
)
from homeoffice.errors import HomeofficeError, PolicyError
from homeoffice.instruments import Instrument, builtin_ids, load_instrument

app = typer.Typer(
    help="Psychosocial work environment and productivity in home office (homeoffice).",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
instruments_app = typer.Typer(help="List and inspect survey instruments.", no_args_is_help=True)
app.add_typer(instruments_app, name="instruments")


def _version(value: bool) -> None:
    if value:
        print(f"homeoffice {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Show the version and exit.")
    ] = False,
) -> None:
    """Psychosocial work environment and productivity in home office (homeoffice)."""


out_console = Console()
err_console = Console(stderr=True)

LANG_HELP = "Language of texts: nb (Norwegian bokmål) or en (English)."
INSTRUMENT_HELP = "Instrument id (built in: thesis-2023, standard) or path to an instrument YAML file."
PROGRESS_MIN_BYTES = 5_000_000


def _fail(exc: HomeofficeError, lang: str = "nb") -> None:
    lang = lang if lang in ("nb", "en") else "nb"
    label = "Feil" if lang == "nb" else "Error"
    err_console.print(f"[bold red]{label}:[/] {exc.describe(lang)}", highlight=False, soft_wrap=True)
    raise typer.Exit(2)


@contextmanager
def _user_errors(lang: str = "nb"):
    """Print the product's own errors in ``lang`` (nb unless --lang says en) and exit with status 2."""
    try:
        yield
    except HomeofficeError as exc:
        _fail(exc, lang)


def _check_lang(lang: str) -> str:
    if lang not in ("nb", "en"):
        raise PolicyError("bad_lang", "--lang must be nb or en; got '%(lang)s'", params={"lang": lang})
    return lang


def _policy(name: str, cut: float | None, cuts: str | None, norm_table: Path | None, n: int) -> CutPolicy:
    if name not in POLICIES:
        raise PolicyError(
            "unknown_policy",
            "unknown cut policy '%(name)s'; choose one of %(known)s",
            params={"name": name, "known": ", ".join(POLICIES)},
        )
    if name == "auto":
        return default_policy(n) if cut is None else fixed_policy(cut)
    if name == "fixed":
        return fixed_policy(50.0 if cut is None else cut)
    if name == "sample_median":
        return sample_median_policy()
    if name == "reference":
        if norm_table is None:
            raise PolicyError("missing_norm_table", "--cut-policy reference needs --norm-table FILE")
        return reference_policy(norm_table)
    if not cuts:
        raise PolicyError("missing_cut", "--cut-policy custom needs --cuts, e.g. demands=55,control=60,...")
    parsed: dict[str, float] = {}
    for part in cuts.split(","):
        key, sep, value = part.partition("=")
        try:
            if not sep:
                raise ValueError
            parsed[key.strip()] = float(value)
        except ValueError:
            raise PolicyError(
                "bad_cut",
                "--cuts takes axis=value pairs separated by commas; cannot read '%(part)s'",
                params={"part": part},
            ) from None
    return custom_policy(parsed, default=cut)


def _progress_for(path: Path):
    """A rich progress display for big inputs; a no-op callback otherwise."""
    big = path.exists() and path.stat().st_size >= PROGRESS_MIN_BYTES and err_console.is_terminal
    if not big:

        @contextmanager
        def quiet():
            yield None

        return quiet()

    @contextmanager
    def shown():
        with Progress(
            SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(), console=err_console
        ) as prog:
            task = prog.add_task("Reading", total=None)
            yield lambda message: prog.update(task, description=message)

    return shown()


def _load(input_path: Path, instrument: Instrument, sheet, mapping, id_column, progress=None):
    from homeoffice.io import load_mapping, read_answers

    cmap = load_mapping(mapping) if mapping else None
    return read_answers(input_path, instrument, sheet=sheet, mapping=cmap, id_column=id_column, progress=progress)


def _scored(
    input_path: Path,
    instrument_id: str,
    *,
    sheet: str | None = None,
    mapping: Path | None = None,
    id_column: str | None = None,
    cut_policy: str = "auto",
    cut: float | None = None,
    cuts: str | None = None,
    norm_table: Path | None = None,
):
    from homeoffice.pipeline import score_table

    instrument = load_instrument(instrument_id)
    with _progress_for(input_path) as progress:
        answers = _load(input_path, instrument, sheet, mapping, id_column, progress)
        policy = _policy(cut_policy, cut, cuts, norm_table, len(answers.respondent_id))
        if progress:
            progress("Scoring and classifying")
        result = score_table(
            answers.codes if answers.scale_values is None else None,
            instrument,
            index=answers.respondent_id,
            policy=policy,
            scale_values=answers.scale_values,
            context=answers.context,
        )
    return instrument, answers, result


InputArg = Annotated[Path, typer.Argument(help="Answers file: CSV (comma or semicolon) or XLSX.")]
InstrumentOpt = Annotated[str, typer.Option("--instrument", "-i", help=INSTRUMENT_HELP)]
SheetOpt = Annotated[str | None, typer.Option(help="XLSX sheet name (default: the first sheet).")]
MappingOpt = Annotated[Path | None, typer.Option(help="Column-mapping YAML file for other column names.")]
IdOpt = Annotated[str | None, typer.Option("--id-column", help="Column that holds respondent ids.")]
PolicyOpt = Annotated[
    str,
    typer.Option(
        "--cut-policy",
        help="auto (fixed 50 under 20 respondents, else sample_median), fixed, sample_median, reference, custom.",
    ),
]
CutOpt = Annotated[float | None, typer.Option("--cut", help="Cut value 0-100 for fixed (default 50).")]
CutsOpt = Annotated[
    str | None, typer.Option("--cuts", help="Custom cuts: demands=50,control=50,support=50,pwe=60,productivity=70")
]
NormOpt = Annotated[Path | None, typer.Option("--norm-table", help="Norm table YAML for --cut-policy reference.")]
LangOpt = Annotated[str, typer.Option("--lang", help=LANG_HELP)]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print machine-readable JSON.")]


@instruments_app.command("list")
def instruments_list(json_out: JsonOpt = False, lang: LangOpt = "nb") -> None:
    """List the built-in instruments."""
    with _user_errors(lang):
        _check_lang(lang)
        rows = []
        for iid in builtin_ids():
            ins = load_instrument(iid)
            rows.append(
                {
                    "id": ins.id,
                    "version": ins.version,
                    "title": ins.spec.title.get(lang),
                    "items": len(ins.spec.items),
                    "scales": len(ins.spec.scales),
                }
            )
        if json_out:
            print(json.dumps(rows, ensure_ascii=False, indent=2))
            return
        table = Table("id", "version", "title", "items", "scales")
        for r in rows:
            table.add_row(r["id"], r["version"], r["title"], str(r["items"]), str(r["scales"]))
        out_console.print(table)


def instrument_as_dict(ins: Instrument, lang: str | None = None) -> dict:
    """The instrument's public JSON shape (``instruments show --json``)."""

    def text(t):
        return t.model_dump() if lang is None else t.get(lang)

    items = []
    for item in ins.spec.items:
        rs = ins.response_set(item)
        items.append(
            {
                "id": item.id,
                "scale": item.scale,
                "reverse": item.reverse,
                "min": rs.min,
                "max": rs.max,
                "na_codes": sorted(rs.na_codes),
                "labels": {str(k): text(v) for k, v in rs.labels.items()},
                "text": text(item.text),
            }
        )
    return {
        "id": ins.id,
        "version": ins.version,
        "title": text(ins.spec.title),
        "source": ins.spec.source,
        "scoring_profile": ins.spec.scoring.model_dump(),
        "items": items,
        "scales": [
            {
                "id": s.id,
                "name": text(s.name),
                "items": [i.id for i in ins.items_of(s.id)],
                "direction": s.direction,
                "domain": s.domain,
                "source": s.source,
            }
            for s in ins.spec.scales
        ],
        "composites": [
            {"id": c.id, "name": text(c.name), "of": list(c.of), "direction": c.direction, "domain": c.domain}
            for c in ins.spec.composites
        ],
        "open_questions": [{"id": q.id, "text": text(q.text)} for q in ins.spec.open_questions],
    }


@instruments_app.command("show")
def instruments_show(
    instrument_id: Annotated[str, typer.Argument(help=INSTRUMENT_HELP)],
    json_out: JsonOpt = False,
    lang: LangOpt = "nb",
) -> None:
    """Show an instrument's items, scales and scoring profile."""
    with _user_errors(lang):
        _check_lang(lang)
        ins = load_instrument(instrument_id)
        if json_out:
            print(json.dumps(instrument_as_dict(ins), ensure_ascii=False, indent=2))
            return
        out_console.print(f"[bold]{ins.spec.title.get(lang)}[/] ({ins.id} {ins.version})")
        table = Table("item", "scale", "rev", "range", "text")
        for item in ins.spec.items:
            rs = ins.response_set(item)
            table.add_row(
                item.id, item.scale or "-", "R" if item.reverse else "", f"{rs.min}-{rs.max}", item.text.get(lang)
            )
        out_console.print(table)


@app.command()
def sample(
    name: Annotated[str, typer.Argument(help="Sample name, e.g. thesis-2023 (table 4.2).")],
    out: Annotated[Path, typer.Option("--out", "-o", help="CSV file to write.")],
    lang: LangOpt = "nb",
) -> None:
    """Write a shipped sample data set (thesis-2023: table 4.2) as CSV."""
    from homeoffice.samples import write_sample

    with _user_errors(lang):
        _check_lang(lang)
        path = write_sample(name, out)
        err_console.print(f"Wrote {path}")


@app.command()
def score(
    input_path: InputArg,
    instrument: InstrumentOpt,
    out: Annotated[Path, typer.Option("--out", "-o", help="Result file: .csv, .xlsx, .parquet or .json.")],
    cut_policy: PolicyOpt = "auto",
    cut: CutOpt = None,
    cuts: CutsOpt = None,
    norm_table: NormOpt = None,
    sheet: SheetOpt = None,
    mapping: MappingOpt = None,
    id_column: IdOpt = None,
    lang: LangOpt = "nb",
) -> None:
    """Score answers: one row per respondent with scales, job situation, indexes, situation, provenance."""
    from homeoffice.io import write_table

    with _user_errors(lang):
        _check_lang(lang)
        _, _, result = _scored(
            input_path,
            instrument,
            sheet=sheet,
            mapping=mapping,
            id_column=id_column,
            cut_policy=cut_policy,
            cut=cut,
            cuts=cuts,
            norm_table=norm_table,
        )
        write_table(result, out)
        counts = result["situation"].value_counts().sort_index()
        summary = ", ".join(f"situation {int(k)}: {int(v)}" for k, v in counts.items())
        err_console.print(
            f"Scored {len(result)} respondents ({summary}; policy {result['cut_policy'].iloc[0]}). Wrote {out}"
        )


def _json_ready(value):
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, dict):
        return {str(k): _json_ready(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_json_ready(v) for v in value]
    return value


@app.command()
def describe(
    input_path: InputArg,
    instrument: InstrumentOpt,
    json_out: JsonOpt = False,
    lang: LangOpt = "nb",
    sheet: SheetOpt = None,
    mapping: MappingOpt = None,
    id_column: IdOpt = None,
) -> None:
    """Thesis-style descriptives: per scale n, mean, SD, most common value and deviating values."""
    from homeoffice.analysis import describe_thesis_style
    from homeoffice.pipeline import raw_scale_values

    with _user_errors(lang):
        _check_lang(lang)
        ins = load_instrument(instrument)
        answers = _load(input_path, ins, sheet, mapping, id_column)
        raw = raw_scale_values(answers.codes, ins, index=answers.respondent_id, scale_values=answers.scale_values)
        table = describe_thesis_style(raw, ins, lang=lang)
        if json_out:
            records = [{k: _json_ready(v) for k, v in row.items()} for row in table.to_dict(orient="records")]
            print(json.dumps(records, ensure_ascii=False, indent=2))
            return
        nb = lang == "nb"
        t = Table(
            "skala" if nb else "scale",
            "n",
            "snitt" if nb else "mean",
            "SD",
            "vanligst" if nb else "most common",
            "avvik" if nb else "deviations",
        )
        sep = "; " if nb else ", "  # decimal commas in nb: lists take semicolons
        for row in table.itertuples():
            t.add_row(
                row.name,
                str(row.n),
                _fmt(row.mean, lang),
                _fmt(row.sd, lang),
                sep.join(_fmt(v, lang, 2, trim=True) for v in row.most_common),
                sep.join(_fmt(v, lang, 2, trim=True) for v in row.deviations),
            )
        out_console.print(t)


def recommendation_as_dict(rec) -> dict:
    """One recommendation in the public JSON shape of ``recommend --json``."""
    return {
        "measure_id": rec.measure_id,
        "rank": rec.rank,
        "title": rec.title,
        "description": rec.description,
        "actor": rec.actor,
        "axis": rec.axis,
        "targets": list(rec.targets),
        "because": rec.because,
        "reason": rec.reason,
        "notes": list(rec.notes),
        "paired_with": list(rec.paired_with),
        "conflicts_with": list(rec.conflicts_with),
        "added_for": rec.added_for,
        "evidence": rec.evidence,
    }


def _frame_records(frame, index_name: str) -> list[dict]:
    data = frame.reset_index().rename(columns={"index": index_name})
    return [{k: _json_ready(_plain(v)) for k, v in row.items()} for row in data.to_dict(orient="records")]


def _plain(value):
    """numpy and pandas scalars -> plain Python for JSON."""
    if value is None or value is pd.NA:
        return None
    if hasattr(value, "item") and not isinstance(value, str):
        return value.item()
    return value


def group_recommendations_as_dict(group) -> dict:
    """A group's situations, weakest scales and measures in the public JSON shape."""
    return {
        "n": group.n,
        "situations": _frame_records(group.situations.set_index("situation"), "situation"),
        "weakest_scales": _frame_records(group.weakest_scales, "score_id"),
        "measures": _frame_records(group.measures, "measure_id"),
    }


@app.command()
def recommend(
    input_path: InputArg,
    instrument: InstrumentOpt,
    respondent: Annotated[
        str | None, typer.Option("--respondent", "-r", help="Respondent id; without it the whole file is one group.")
    ] = None,
    lang: LangOpt = "nb",
    json_out: JsonOpt = False,
    cut_policy: PolicyOpt = "auto",
    cut: CutOpt = None,
    cuts: CutsOpt = None,
    norm_table: NormOpt = None,
    sheet: SheetOpt = None,
    mapping: MappingOpt = None,
    id_column: IdOpt = None,
) -> None:
    """Ranked, explained measures for one respondent or for the whole group."""
    from homeoffice.measures import recommend_for_group, recommend_for_respondent

    with _user_errors(lang):
        _check_lang(lang)
        ins, _, result = _scored(
            input_path,
            instrument,
            sheet=sheet,
            mapping=mapping,
            id_column=id_column,
            cut_policy=cut_policy,
            cut=cut,
            cuts=cuts,
            norm_table=norm_table,
        )
        if respondent is not None:
            if respondent not in result.index:
                raise PolicyError(
                    "unknown_respondent",
                    "no respondent '%(id)s' in %(file)s (%(n)s respondents; ids such as %(some)s)",
                    params={
                        "id": respondent,
                        "file": input_path.name,
                        "n": len(result),
                        "some": ", ".join(map(str, result.index[:3])),
                    },
                )
            row = result.loc[respondent]
            recs = recommend_for_respondent(row, ins, lang=lang)
            if json_out:
                payload = {
                    "respondent_id": respondent,
                    "situation": _plain(row["situation"]),
                    "job_situation": _plain(row["job_situation"]),
                    "pwe_index": _json_ready(float(row["pwe_index"])),
                    "productivity_index": _json_ready(float(row["productivity_index"])),
                    "recommendations": [recommendation_as_dict(r) for r in recs],
                }
                print(json.dumps(payload, ensure_ascii=False, indent=2))
                return
            _print_recommendations(recs, lang)
            return
        group = recommend_for_group(result, ins, lang=lang)
        if json_out:
            print(json.dumps(group_recommendations_as_dict(group), ensure_ascii=False, indent=2))
            return
        _print_group(group, lang)


def _print_recommendations(recs, lang: str) -> None:
    if not recs:
        out_console.print("Ingen tiltak." if lang == "nb" else "No measures.")
    for rec in recs:
        out_console.print(f"[bold]{rec.rank}. {rec.title}[/] ({rec.actor})")
        out_console.print(f"   {rec.explanation}", highlight=False)
        out_console.print(f"   [dim]{rec.evidence}[/]", highlight=False)


def _print_group(group, lang: str) -> None:
    t = Table("situasjon" if lang == "nb" else "situation", "n", "%")
    for row in group.situations.itertuples():
        t.add_row(str(row.label), str(row.n), f"{100 * row.share:.0f}")
    out_console.print(t)
    t = Table("#", "tiltak" if lang == "nb" else "measure", "n", "%", "hvorfor" if lang == "nb" else "why")
    for _, row in group.measures.iterrows():
        t.add_row(str(row["rank"]), str(row["title"]), str(row["n"]), f"{100 * row['share']:.0f}", str(row["why"]))
    out_console.print(t)


@app.command()
def chart(
    input_path: InputArg,
    instrument: InstrumentOpt,
    out: Annotated[Path, typer.Option("--out", "-o", help="Chart file: .png, .svg or .pdf.")],
    lang: LangOpt = "nb",
    group: Annotated[
        bool | None,
        typer.Option(
            "--group/--individual",
            help="Group view (shares and density) or one point per respondent; default: group above 200 respondents.",
        ),
    ] = None,
    title: Annotated[str | None, typer.Option(help="Chart title (default: the model's name).")] = None,
    cut_policy: PolicyOpt = "auto",
    cut: CutOpt = None,
    cuts: CutsOpt = None,
    norm_table: NormOpt = None,
    sheet: SheetOpt = None,
    mapping: MappingOpt = None,
    id_column: IdOpt = None,
) -> None:
    """Draw the dynamic model (thesis figure 5.1) with respondents or the group placed on it."""
    from homeoffice.charts import dynamic_model_chart, save_chart

    with _user_errors(lang):
        _check_lang(lang)
        _, _, result = _scored(
            input_path,
            instrument,
            sheet=sheet,
            mapping=mapping,
            id_column=id_column,
            cut_policy=cut_policy,
            cut=cut,
            cuts=cuts,
            norm_table=norm_table,
        )
        fig = dynamic_model_chart(result, lang=lang, title=title, group=group)
        save_chart(fig, out)
        err_console.print(f"Wrote {out}")


@app.command()
def export(
    input_path: InputArg,
    instrument: InstrumentOpt,
    out: Annotated[
        Path, typer.Option("--out", "-o", help="Data file to write; the codebook goes beside it (NAME-codebook.csv).")
    ],
    fmt: Annotated[
        str | None, typer.Option("--format", "-f", help="csv, xlsx, sav or parquet (default: the --out suffix).")
    ] = None,
    lang: LangOpt = "nb",
    cut_policy: PolicyOpt = "auto",
    cut: CutOpt = None,
    cuts: CutsOpt = None,
    norm_table: NormOpt = None,
    sheet: SheetOpt = None,
    mapping: MappingOpt = None,
    id_column: IdOpt = None,
) -> None:
    """Export item answers and scores as CSV, XLSX, SPSS .sav or Parquet, with a codebook."""
    from homeoffice.io.exports import answers_frame, export_data

    with _user_errors(lang):
        _check_lang(lang)
        ins, answers, result = _scored(
            input_path,
            instrument,
            sheet=sheet,
            mapping=mapping,
            id_column=id_column,
            cut_policy=cut_policy,
            cut=cut,
            cuts=cuts,
            norm_table=norm_table,
        )
        written = export_data(
            out,
            answers_frame(answers, ins),
            result,
            ins,
            format=fmt,
            lang=lang,
            open_answers=answers.open_text,
            groups=answers.unit.to_frame() if answers.unit is not None else None,
        )
        nb = lang == "nb"
        err_console.print(
            (
                f"Eksporterte {written.rows} respondenter og {written.columns} kolonner. Skrev {written.data} "
                f"og kodeboken {written.codebook}"
                if nb
                else f"Exported {written.rows} respondents and {written.columns} columns. Wrote {written.data} "
                f"and the codebook {written.codebook}"
            ),
            highlight=False,
        )


@app.command("import")
def import_(
    input_path: Annotated[
        Path, typer.Argument(help="File to import: CSV, XLSX or SPSS .sav, e.g. a survey tool's export.")
    ],
    instrument: InstrumentOpt,
    out: Annotated[
        Path, typer.Option("--out", "-o", help="Normalised answers to write: .csv, .xlsx, .parquet or .json.")
    ],
    preset: Annotated[
        str | None,
        typer.Option(
            "--preset", help="Survey tool: qualtrics, limesurvey, nettskjema or msforms (default: recognised)."
        ),
    ] = None,
    mapping: MappingOpt = None,
    save_mapping: Annotated[
        Path | None,
        typer.Option("--save-mapping", help="Write the mapping used (with notes on what is left) to this YAML file."),
    ] = None,
    sheet: SheetOpt = None,
    lang: LangOpt = "nb",
) -> None:
    """Check a file of answers collected elsewhere and write them normalised, only if there is no problem."""
    from homeoffice.io.imports import import_answers, propose_mapping
    from homeoffice.io.mapping import load_mapping
    from homeoffice.io.mapping import save_mapping as write_mapping

    with _user_errors(lang):
        _check_lang(lang)
        ins = load_instrument(instrument)
        base = load_mapping(mapping) if mapping else None
        proposal = propose_mapping(input_path, ins, preset, base=base, sheet=sheet)
        nb = lang == "nb"
        matched = sum(c.target is not None for c in proposal.columns)
        skipped = sum(c.role in ("id", "unit", "ignored") for c in proposal.columns)
        tool = f" ({proposal.preset})" if proposal.preset else ""
        err_console.print(
            f"Kolonner{tool}: {matched} koblet, {skipped} hoppet over, {len(proposal.unknown_columns)} ukjente"
            if nb
            else f"Columns{tool}: {matched} matched, {skipped} skipped, {len(proposal.unknown_columns)} unknown",
            highlight=False,
        )
        if save_mapping is not None:
            write_mapping(proposal.mapping, save_mapping, comments=proposal.notes(ins, lang))
            err_console.print(("Skrev kolonnekoblingen " if nb else "Wrote the mapping ") + str(save_mapping))
        preview = import_answers(input_path, ins, proposal.mapping, out, sheet=sheet)
        if not preview.ok:
            label = "Feil" if nb else "Error"
            for line in preview.report(lang):
                err_console.print(f"[bold red]{label}:[/] {line}", highlight=False, soft_wrap=True)
            n = len(preview.problems)
            err_console.print(
                f"{n} problem(er); ingenting ble importert, {out} ble ikke skrevet."
                if nb
                else f"{n} problem(s); nothing was imported, {out} was not written.",
                highlight=False,
            )
            raise typer.Exit(2)
        n = len(preview.answers.respondent_id)
        err_console.print(
            f"Importerte {n} respondenter. Skrev {out}" if nb else f"Imported {n} respondents. Wrote {out}",
            highlight=False,
        )


DEMO_STANDARD_N = 300


@app.command()
def demo(
    out: Annotated[Path, typer.Option("--out", "-o", help="Folder to write the demo results to.")] = Path(
        "demo-output"
    ),
    lang: LangOpt = "nb",
) -> None:
    """Run the whole core on the sample data and write a result folder.

    Part 1 is the thesis's table 4.2 (thesis-2023, fixed cut 50). Part 2 is a synthetic group of
    300 respondents answering the standard instrument (sample median, as for groups of 20+).
    """
    from homeoffice.analysis import describe_thesis_style
    from homeoffice.charts import dynamic_model_chart, save_chart, situation_distribution_chart
    from homeoffice.io import write_table
    from homeoffice.measures import recommend_for_group, recommend_for_respondent
    from homeoffice.pipeline import raw_scale_values
    from homeoffice.samples import write_sample
    from homeoffice.samples.synthetic import synthetic_answers

    with _user_errors(lang):
        _check_lang(lang)
        out.mkdir(parents=True, exist_ok=True)
        written: list[Path] = []

        def keep(path: Path) -> Path:
            written.append(path)
            return path

        # Part 1: the thesis sample.
        thesis_dir = out / "thesis-2023"
        thesis_dir.mkdir(exist_ok=True)
        sample_csv = write_sample("thesis-2023", keep(thesis_dir / "table-4-2.csv"))
        ins, answers, result = _scored(sample_csv, "thesis-2023", cut_policy="fixed")
        write_table(result, keep(thesis_dir / "scores.csv"))
        write_table(result, keep(thesis_dir / "scores.xlsx"))
        raw = raw_scale_values(None, ins, index=answers.respondent_id, scale_values=answers.scale_values)
        desc = describe_thesis_style(raw, ins, lang=lang)
        desc_out = desc.assign(
            most_common=desc["most_common"].map(lambda v: ", ".join(map(str, v))),
            deviations=desc["deviations"].map(lambda v: ", ".join(map(str, v))),
        ).drop(columns="deviation_counts")
        desc_out.to_csv(keep(thesis_dir / "descriptives.csv"), index=False)
        measures = {
            "group": group_recommendations_as_dict(recommend_for_group(result, ins, lang=lang)),
            "respondents": {
                str(rid): [recommendation_as_dict(r) for r in recommend_for_respondent(row, ins, lang=lang)]
                for rid, row in result.iterrows()
            },
        }
        keep(thesis_dir / "measures.json").write_text(
            json.dumps(measures, ensure_ascii=False, indent=2), encoding="utf-8"
        )
        for ext in ("png", "svg", "pdf"):
            save_chart(dynamic_model_chart(result, lang=lang, group=False), keep(thesis_dir / f"dynamic-model.{ext}"))

        # Part 2: a synthetic group on the standard instrument.
        std_dir = out / "standard-synthetic"
        std_dir.mkdir(exist_ok=True)
        std = load_instrument("standard")
        answers_csv = keep(std_dir / "answers.csv")
        synthetic_answers(std, DEMO_STANDARD_N, seed=7).to_pandas().to_csv(answers_csv, index=False)
        std_ins, _, std_result = _scored(answers_csv, "standard")
        write_table(std_result, keep(std_dir / "scores.parquet"))
        write_table(std_result, keep(std_dir / "scores.csv"))
        group = recommend_for_group(std_result, std_ins, lang=lang)
        keep(std_dir / "measures.json").write_text(
            json.dumps(group_recommendations_as_dict(group), ensure_ascii=False, indent=2), encoding="utf-8"
        )
        save_chart(dynamic_model_chart(std_result, lang=lang, group=True), keep(std_dir / "dynamic-model.png"))
        save_chart(situation_distribution_chart(std_result, lang=lang), keep(std_dir / "situations.png"))

        nb = lang == "nb"
        out_console.rule("homeoffice demo")
        out_console.print(
            "Masteroppgavens tabell 4.2 (thesis-2023, fast grense 50):"
            if nb
            else "The thesis's table 4.2 (thesis-2023, fixed cut 50):"
        )
        t = Table(
            "informant", "PWE", "prod.", "jobbsituasjon" if nb else "job situation", "situasjon" if nb else "situation"
        )
        for rid, row in result.iterrows():
            t.add_row(
                str(rid),
                f"{row['pwe_index']:.1f}",
                f"{row['productivity_index']:.1f}",
                JOB_SITUATION_NAMES[lang].get(row["job_situation"], "-"),
                str(row["situation"]),
            )
        out_console.print(t)
        shares = std_result["situation"].value_counts(normalize=True).sort_index()
        out_console.print(
            (
                f"Syntetisk gruppe, standard-instrumentet (n = {len(std_result)}, medianen som grense): "
                if nb
                else f"Synthetic group, standard instrument (n = {len(std_result)}, sample median cuts): "
            )
            + ", ".join(f"{int(k)}: {100 * v:.0f} %" for k, v in shares.items())
        )
        out_console.print(
            ("Skrev " if nb else "Wrote ")
            + f"{len(written)} "
            + ("filer til " if nb else "files to ")
            + f"[bold]{out.resolve()}[/]:"
        )
        for path in written:
            out_console.print(f"  {path}", highlight=False)


def _fmt(x: float | None, lang: str = "en", digits: int = 2, *, trim: bool = False) -> str:
    """A number for people: decimal comma in nb, point in en; ``trim`` drops trailing zeros (4.50 -> 4.5)."""
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "-"
    text = f"{x:.{digits}f}"
    if trim and "." in text:
        text = text.rstrip("0").rstrip(".")
    return text.replace(".", ",") if lang == "nb" else text


def main() -> None:
    """Entry point of the ``homeoffice`` command."""
    try:
        app()
    except HomeofficeError as exc:  # pragma: no cover - commands catch their own
        err_console.print(f"Error: {exc.describe()}")
        sys.exit(2)


__all__ = ["app", "instrument_as_dict", "main"]
