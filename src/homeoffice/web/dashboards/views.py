"""The dashboards (issue 4, point 3): an organisation's waves with response counts, the dashboard of
a released wave for the organisation, a unit or a unit's filter cell, its charts as SVG, and HR's
"what is hidden and why".

Who may open what is :mod:`homeoffice.web.accounts.permissions` (the organisation's dashboard needs
``view_org_dashboard``, a unit's ``view_unit_dashboard`` for that unit, the hidden list
``view_hidden``); which groups may be shown is :mod:`homeoffice.web.dashboards.groups` (the one
door). Numbers come from :mod:`homeoffice.web.dashboards.content`, which reads only the rows of
shown groups; a hidden or empty group's page says so and why, with its response count and nothing
else, and its charts answer 404. Before a wave is released staff see response counts only.
Every page and chart is written to the audit log. Pages work without JavaScript; each chart is an
``<img>`` with its text alternative (description and data table) in the page.
"""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlencode

from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from homeoffice import charts as core_charts
from homeoffice.analysis.groups import measure_follow_up
from homeoffice.anonymity import HIDDEN, SHOWN, GroupKey
from homeoffice.classification import JOB_SITUATION_NAMES
from homeoffice.group_charts import GroupChart
from homeoffice.instruments import load_instrument
from homeoffice.web.accounts.audit import Verb, record
from homeoffice.web.accounts.guard import render_staff, staff_lang, staff_view
from homeoffice.web.accounts.permissions import Access, Perm, ancestors
from homeoffice.web.actions.models import Action
from homeoffice.web.dashboards import content
from homeoffice.web.dashboards.groups import FILTER_ITEMS, WaveGroups, previous_wave, wave_groups
from homeoffice.web.i18n import t
from homeoffice.web.organisations.models import Unit
from homeoffice.web.responses.models import Response
from homeoffice.web.surveys.actions import units_with_paths, wave_status
from homeoffice.web.surveys.emails import format_date
from homeoffice.web.surveys.models import AnonymousLink, Invitation, Wave
from homeoffice.web.surveys.release import ReleaseRefused, release_wave

# An SVG chart is a document of its own: no scripts, its own inline styles (as the result page's charts).
SVG_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'self'"
ORG = "org"  # the action plan's value for "the whole organisation"

download_links: list[Callable[[HttpRequest, Access, Wave, Unit | None, GroupKey], list[dict]]] = []
"""Hooks that add download links (the report as PDF or HTML, data files) to a shown group's dashboard.

Each is called as ``hook(request, access, wave, unit, key)`` (``unit`` None: the organisation) and
returns ``[{"label": ..., "url": ...}]``, empty when the user may not download; the links are shown in
the dashboard's "Download" section. The reports and exports of this app register theirs.
"""


def add_download_links(hook: Callable[[HttpRequest, Access, Wave, Unit | None, GroupKey], list[dict]]) -> None:
    """Register a hook of ``download_links`` (once, however often its module is imported)."""
    if hook not in download_links:
        download_links.append(hook)


# --- formatting ------------------------------------------------------------------------------------


def num(value: float, lang: str) -> str:
    """A whole number for people: no-break spaces between thousands in nb, commas in en."""
    text = f"{round(value):,}"
    return text.replace(",", "\u00a0") if lang == "nb" else text


def pct(share: float, lang: str) -> str:
    """A share (0-1) as a whole percentage: "42 %" in nb, "42%" in en."""
    value = round(share * 100)
    return f"{value}\u00a0%" if lang == "nb" else f"{value}%"


def points(value: float, lang: str) -> str:
    """A change in percentage points with its sign, one decimal."""
    text = f"{value:+.1f}".replace("-", "\u2212")
    return text.replace(".", ",") if lang == "nb" else text


def score(value: float, lang: str) -> str:
    """A 0-100 score with one decimal (nb decimal comma); a dash when missing."""
    if value is None or value != value:
        return "–"
    text = f"{value:.1f}".replace("-", "\u2212")
    return text.replace(".", ",") if lang == "nb" else text


def _day(day: object, lang: str) -> str:
    return format_date(day, lang) if day else "–"


def situation_name(key: object, lang: str) -> str:
    if key in (1, 2, 3, 4):
        return f"{key} {core_charts.TEXT[lang][f'name_{key}']}"
    return t("dash_unclassified", lang)


def job_name(key: str, lang: str) -> str:
    names = JOB_SITUATION_NAMES[lang]
    return names[key].capitalize() if key in names else t("dash_unclassified", lang)


# --- finding things --------------------------------------------------------------------------------


def _wave(access: Access, wave_id: int) -> Wave:
    return get_object_or_404(Wave, pk=wave_id, organisation=access.organisation)


def _unit(access: Access, unit_id: int) -> Unit:
    """The organisation's unit (404 otherwise), if the user may see its dashboard (403 otherwise)."""
    unit = get_object_or_404(Unit, pk=unit_id, organisation=access.organisation)
    access.require(Perm.VIEW_UNIT_DASHBOARD, unit)
    return unit


def _cell(request: HttpRequest, wave: Wave) -> tuple[str | None, int | None]:
    """``?filter=<context question>&value=<code>``: a filter cell, or (None, None). Anything else is a 404."""
    name, raw = request.GET.get("filter"), request.GET.get("value")
    if name is None and raw is None:
        return None, None
    instrument = load_instrument(wave.instrument_id)
    if name not in FILTER_ITEMS or name not in instrument.items_by_id or raw is None:
        raise Http404("no such filter")
    if not raw.isdigit() or len(raw) > 4:
        raise Http404("no such filter value")
    rs = instrument.response_set(instrument.items_by_id[name])
    value = int(raw)
    if not rs.min <= value <= rs.max:
        raise Http404("no such filter value")
    return name, value


def _page(request: HttpRequest) -> int:
    raw = request.GET.get("page", "1")
    if not raw.isdigit() or len(raw) > 4 or int(raw) < 1:
        raise Http404("no such page")
    return int(raw)


def _query(**params: object) -> str:
    pairs = [(k, v) for k, v in params.items() if v not in (None, "")]
    return "?" + urlencode(pairs) if pairs else ""


def page_url(org_slug: str, wave: Wave, unit_id: int | None, name: str | None = None, value: int | None = None,
             **extra: object) -> str:  # fmt: skip
    """The dashboard of the organisation (``unit_id`` None) or a unit, in a filter cell."""
    if unit_id is None:
        path = reverse("dashboards:wave", args=[org_slug, wave.pk])
    else:
        path = reverse("dashboards:unit", args=[org_slug, wave.pk, unit_id])
    return path + _query(filter=name, value=value, **extra)


def chart_url(org_slug: str, wave: Wave, unit_id: int | None, chart: str, name: str | None, value: int | None,
              lang: str, page: int | None = None) -> str:  # fmt: skip
    if unit_id is None:
        path = reverse("dashboards:wave_chart", args=[org_slug, wave.pk, chart])
    else:
        path = reverse("dashboards:unit_chart", args=[org_slug, wave.pk, unit_id, chart])
    return path + _query(filter=name, value=value, page=page, lang=lang)


def _audit(request: HttpRequest, access: Access, object_type: str, wave: Wave, unit: Unit | None,
           name: str | None, value: int | None, extra: str = "") -> None:  # fmt: skip
    detail = ",".join(p for p in (f"filter={name}:{value}" if name else "", extra) if p)
    record(
        request,
        Verb.VIEWED,
        organisation=access.organisation,
        object_type=object_type,
        object_id=wave.pk,
        wave=wave,
        unit=unit,
        detail=detail,
    )


# --- response counts --------------------------------------------------------------------------------


def _subtree_totals(own: dict[int, int], parents: dict[int, int | None]) -> dict[int, int]:
    """Counts per unit including every unit below it."""
    total = dict.fromkeys(parents, 0)
    for unit, n in own.items():
        for above in ancestors(unit, parents):
            total[above] += n
    return total


def _rate(n: int, invited: int, has_links: bool) -> float | None:
    """The response rate, known only when everybody was invited personally (no anonymous link)."""
    return n / invited if invited and not has_links else None


def _unit_counts(wave: Wave, unit_id: int | None, parents: dict[int, int | None]) -> tuple[int, bool]:
    """(invited, whether the wave has anonymous links) for a unit's subtree or the organisation."""
    invitations = Invitation.objects.filter(wave=wave)
    if unit_id is not None:
        below = [u for u in parents if unit_id in ancestors(u, parents)]
        invitations = invitations.filter(unit_id__in=below)
    return invitations.count(), AnonymousLink.objects.filter(wave=wave).exists()


# --- the organisation's waves -----------------------------------------------------------------------


@staff_view(Perm.VIEW_UNIT_DASHBOARD)
@require_GET
def index(request: HttpRequest, access: Access) -> HttpResponse:
    """Every wave of the organisation: status, response counts (and rate where it is known), per unit
    in the user's scope, and the dashboards of released waves."""
    lang = staff_lang(request)
    org = access.organisation
    parents = dict(access.parents)
    allowed = access.unit_ids(Perm.VIEW_UNIT_DASHBOARD)
    whole = access.can(Perm.VIEW_ORG_DASHBOARD)
    roots = sorted(u for u in allowed if parents.get(u) not in allowed)
    waves = list(Wave.objects.filter(organisation=org))
    submitted: dict[int, dict[int, int]] = {}
    for w, u, n in (
        Response.objects.filter(wave__organisation=org, submitted_on__isnull=False)
        .values_list("wave", "unit")
        .annotate(n=Count("pk"))
        .order_by()
    ):
        submitted.setdefault(w, {})[u] = n
    invited: dict[int, dict[int, int]] = {}
    for w, u, n in (
        Invitation.objects.filter(wave__organisation=org).values_list("wave", "unit").annotate(n=Count("pk")).order_by()
    ):
        invited.setdefault(w, {})[u] = n
    with_links = set(AnonymousLink.objects.filter(wave__organisation=org).values_list("wave", flat=True))
    paths = {u.pk: u.tree_path for u in units_with_paths(org)}
    rows = []
    for wave in waves:
        status = wave_status(wave)
        done = _subtree_totals(submitted.get(wave.pk, {}), parents)
        asked = _subtree_totals(invited.get(wave.pk, {}), parents)
        links = wave.pk in with_links
        n = sum(done[r] for r in roots)
        n_invited = sum(asked[r] for r in roots)
        released = status == "released"
        units = [
            {
                "path": paths.get(u, ""),
                "n": num(done[u], lang),
                "invited": num(asked[u], lang) if asked[u] else "–",
                "rate": pct(r, lang) if (r := _rate(done[u], asked[u], links)) is not None else "–",
                "url": page_url(org.slug, wave, u) if released else "",
            }
            for u in sorted(allowed, key=lambda u: paths.get(u, ""))
        ]
        rate = _rate(n, n_invited, links)
        rows.append(
            {
                "wave": wave,
                "status": t(f"dash_status_{status}", lang),
                "status_key": status,
                "dates": t("dash_wave_dates", lang, opens=_day(wave.opens_on, lang), closes=_day(wave.closes_on, lang)),
                "mode": t(f"dash_mode_{wave.mode}", lang),
                "n": num(n, lang),
                "invited": num(n_invited, lang) if n_invited else "",
                "rate": pct(rate, lang) if rate is not None else "",
                "rate_unknown": rate is None,
                "why": _why_not_released(wave, status, lang),
                "org_url": page_url(org.slug, wave, None) if released and whole else "",
                "root_urls": [(paths.get(r, ""), page_url(org.slug, wave, r)) for r in roots] if released else [],
                "hidden_url": reverse("dashboards:hidden", args=[org.slug, wave.pk])
                if released and access.can(Perm.VIEW_HIDDEN)
                else "",
                "more": _wave_links(access, wave, released, whole, lang),
                "units": units,
            }
        )
    record(request, Verb.VIEWED, organisation=org, object_type="dashboard_index")
    return render_staff(
        request,
        "dashboards/index.html",
        {"lang": lang, "organisation": org, "waves": rows, "whole": whole},
    )


def _wave_links(access: Access, wave: Wave, released: bool, whole: bool, lang: str) -> list[tuple[str, str]]:
    """(label, url) of a wave's other pages the user may open: the organisation's report and the data
    export once released; importing answers while it is not."""
    slug, links = access.organisation.slug, []
    if released and whole:
        links.append((t("dash_link_report", lang), reverse("data:org_report", args=[slug, wave.pk])))
    if released and access.can(Perm.EXPORT_DATA):
        links.append((t("dash_link_export", lang), reverse("data:export_page", args=[slug, wave.pk])))
    if not released and access.can(Perm.MANAGE_WAVES):
        links.append((t("dash_link_import", lang), reverse("data:import", args=[slug, wave.pk])))
        if wave.closes_on < timezone.localdate():
            links.append((t("dash_link_release", lang), reverse("dashboards:release", args=[slug, wave.pk])))
    return links


@staff_view(Perm.MANAGE_WAVES)
@require_http_methods(["GET", "POST"])
def release(request: HttpRequest, access: Access, wave_id: int) -> HttpResponse:
    """Release a closed wave's group results (HR, organisation admin): GET asks, POST releases.

    Refusals (not closed yet, released already) are shown, never an error; two clicks release once.
    """
    wave = _wave(access, wave_id)
    lang = staff_lang(request)
    index_url = reverse("dashboards:index", args=[access.organisation.slug])
    refused = ""
    if request.method == "POST":
        try:
            release_wave(wave)
        except ReleaseRefused as exc:
            refused = exc.text(lang)
        else:
            record(request, Verb.CHANGED, organisation=access.organisation, object_type="wave_release", wave=wave)
            return redirect(page_url(access.organisation.slug, wave, None) if access.can(Perm.VIEW_ORG_DASHBOARD)
                            else index_url)  # fmt: skip
    elif wave.is_released:
        refused = t("dash_release_done", lang, date=_day(wave.released_on, lang))
    elif wave.closes_on >= timezone.localdate():
        refused = t("dash_release_not_closed", lang, date=_day(wave.closes_on, lang))
    n = Response.objects.filter(wave=wave, submitted_on__isnull=False).count()
    context = {"lang": lang, "organisation": access.organisation, "wave": wave, "n": num(n, lang),
               "refused": refused, "index_url": index_url}  # fmt: skip
    return render_staff(request, "dashboards/release.html", context, status=409 if refused else 200)


def _why_not_released(wave: Wave, status: str, lang: str) -> str:
    """Why a wave shows counts only, in one sentence ("" once released)."""
    if status == "released":
        return ""
    day = {"planned": wave.opens_on, "open": wave.closes_on, "closed": wave.closes_on}[status]
    return t(f"dash_why_{status}", lang, date=_day(day, lang))


# --- a dashboard -------------------------------------------------------------------------------------


@staff_view(Perm.VIEW_ORG_DASHBOARD)
@require_GET
def wave_dashboard(request: HttpRequest, access: Access, wave_id: int) -> HttpResponse:
    return _dashboard(request, access, _wave(access, wave_id), None)


@staff_view(Perm.VIEW_UNIT_DASHBOARD)
@require_GET
def unit_dashboard(request: HttpRequest, access: Access, wave_id: int, unit_id: int) -> HttpResponse:
    wave = _wave(access, wave_id)
    return _dashboard(request, access, wave, _unit(access, unit_id))


def _crumbs(access: Access, wave: Wave, groups: WaveGroups | None, unit: Unit | None, lang: str) -> list[dict]:
    """Home, results, the wave (organisation) and the units above ``unit`` that the user may open."""
    org = access.organisation
    out = [
        {"label": t("accounts_home_link", lang), "url": reverse("accounts:home")},
        {"label": t("dash_index_title", lang), "url": reverse("dashboards:index", args=[org.slug])},
    ]
    if unit is None:
        return out
    chain = ancestors(unit.pk, dict(access.parents))[1:]
    if access.can(Perm.VIEW_ORG_DASHBOARD):  # the organisation's page stands for its top unit
        out.append({"label": wave.name, "url": page_url(org.slug, wave, None)})
        chain = chain[:-1]
    for above in reversed(chain):
        if access.can(Perm.VIEW_UNIT_DASHBOARD, above):
            name = groups.units[above].name if groups else Unit.objects.get(pk=above).name
            out.append({"label": name, "url": page_url(org.slug, wave, above)})
    return out


def _filter_menu(groups: WaveGroups, key: GroupKey, url_of, lang: str) -> list[dict]:
    """Every filter question with its values: n, shown or not, and the link (counts only)."""
    menu = []
    instrument = groups.instrument
    scope = content.filter_scope(groups)
    for name in groups.filters:
        if (key.unit, name) not in scope:
            continue
        item = instrument.items_by_id[name]
        labels = instrument.response_set(item).labels
        values = []
        for value in groups.filter_values(name):
            cell = GroupKey(key.unit, name, value)
            status = content.status_of(groups, cell)
            values.append(
                {
                    "label": labels[value].get(lang) if value in labels else str(value),
                    "n": num(groups.n(cell), lang),
                    "status": status,
                    "status_text": t(f"dash_state_{status}", lang),
                    "url": url_of(key.unit, name, value),
                    "current": (key.filter, key.value) == (name, value),
                }
            )
        menu.append({"question": item.text.get(lang), "values": values})
    return menu


def _drill(groups: WaveGroups, key: GroupKey, url_of, lang: str) -> list[dict]:
    """The child units, shown or not, with their n and link: in the same filter cell where the wave
    splits them by it, else as a whole."""
    out = []
    for child in groups.children(key.unit):
        k = GroupKey(child.pk, key.filter, key.value)
        if not content.is_group(groups, k):
            k = GroupKey(child.pk)
        status = content.status_of(groups, k)
        out.append(
            {
                "name": content.unit_name(groups, child.pk),
                "n": num(groups.n(k), lang),
                "status": status,
                "status_text": t(f"dash_state_{status}", lang),
                "url": url_of(child.pk, k.filter, k.value),
            }
        )
    return out


def _chart_block(chart: GroupChart, name: str, src: str, lang: str, *, caption: str, open_table: bool) -> dict:
    header, *body = chart.rows[lang]
    return {
        "name": name,
        "src": src,
        "alt": chart.description[lang],
        "caption": caption,
        "table_caption": t(f"dash_table_{name}", lang),
        "header": header,
        "body": body,
        "open": open_table,
    }


def _dashboard(request: HttpRequest, access: Access, wave: Wave, unit: Unit | None) -> HttpResponse:
    lang = staff_lang(request)
    org = access.organisation
    name, value = _cell(request, wave)
    heat_page = _page(request)
    groups = wave_groups(wave) if wave.is_released else None
    _audit(request, access, "dashboard", wave, unit, name, value)
    ctx: dict = {
        "lang": lang,
        "organisation": org,
        "wave": wave,
        "unit": unit,
        "title": unit.name if unit else org.name,
        "crumbs": _crumbs(access, wave, groups, unit, lang),
    }
    if name is not None:
        item = load_instrument(wave.instrument_id).items_by_id[name]
        labels = load_instrument(wave.instrument_id).response_set(item).labels
        ctx["cell"] = {"question": item.text.get(lang), "value": labels[value].get(lang) if value in labels else value}
    if groups is None:
        status = wave_status(wave)
        # the count of a unit (a filter cell's count would come from the answers: not before release)
        n = num(_responses(wave, unit, dict(access.parents)), lang) if name is None else ""
        ctx.update(status=t(f"dash_status_{status}", lang), why=_why_not_released(wave, status, lang), n=n)
        return render_staff(request, "dashboards/not_released.html", ctx)

    key = groups.key(unit.pk if unit else None, name, value)
    if not content.is_group(groups, key):  # e.g. a unit split by a filter the wave does not cross with units
        raise Http404("no such group")
    all_units = unit is None

    def url_of(unit_id: int, f: str | None = None, v: int | None = None) -> str:
        target = None if (unit is None and unit_id == groups.root_id) else unit_id
        return page_url(org.slug, wave, target, f, v)

    status = content.status_of(groups, key)
    ctx.update(
        n=num(groups.n(key), lang),
        status=status,
        filters=_filter_menu(groups, key, url_of, lang),
        no_filter_url=url_of(key.unit),
        children=_drill(groups, key, url_of, lang),
        hidden_url=reverse("dashboards:hidden", args=[org.slug, wave.pk]) if access.can(Perm.VIEW_HIDDEN) else "",
        min_size=wave.min_group_size,
    )
    if status != SHOWN:
        ctx["reason"] = groups.disclosure.sentence(key, lang) if status == HIDDEN else t("dash_empty_group", lang)
        return render_staff(request, "dashboards/hidden_group.html", ctx)

    unit_id = unit.pk if unit else None
    previous = previous_wave(wave)
    before = wave_groups(previous) if previous is not None else None
    summary = content.summary(groups, key)
    charts = {}

    def add_chart(chart_name: str, caption: str, *, open_table: bool = False, page: int | None = None) -> None:
        chart = content.chart(groups, before, key, chart_name, lang, all_units=all_units, page=page or 1)
        if chart is not None:
            src = chart_url(org.slug, wave, unit_id, chart_name, name, value, lang, page if page and page > 1 else None)
            charts[chart_name] = _chart_block(chart, chart_name, src, lang, caption=caption, open_table=open_table)

    add_chart("model", t("dash_model_caption", lang))
    add_chart("means", t("dash_means_caption", lang), open_table=True)

    heat_rows = content.heat_rows(groups, key, all_units=all_units)
    heat = content.heat(groups, key, lang, all_units=all_units)
    heat_pages = content.heat_pages(len(heat.means)) if heat is not None else 1
    if heat_page > heat_pages:
        raise Http404("no such page")
    if heat is not None:
        add_chart("heatmap", t("dash_heat_caption", lang), page=heat_page)

    invited, rate = 0, None
    if name is None:  # the rate of a unit or the organisation; a filter cell has none
        invited, has_links = _unit_counts(wave, key.unit if unit else None, dict(access.parents))
        rate = _rate(groups.n(key), invited, has_links)
    ctx.update(
        summary=summary,
        jobs=[
            {"name": job_name(k, lang), "n": num(row["n"], lang), "share": pct(row["share"], lang)}
            for k, row in summary.job_situations.iterrows()
        ],
        iso_strain=num(summary.iso_strain, lang),
        charts=charts,
        heat_nav=_heat_nav(org.slug, wave, unit_id, name, value, heat_page, heat_pages, lang) if heat else None,
        heat_hidden=[r for r in heat_rows if not r.shown],
        heat_any=bool(heat_rows),
        heat_not_split=bool(name) and not heat_rows and bool(groups.children(key.unit)),
        all_units=all_units,
        invited=num(invited, lang) if invited else "",
        rate=pct(rate, lang) if rate is not None else "",
    )
    ctx["measures"] = _measures(access, groups, key, wave, unit, lang)
    ctx.update(_comparison(groups, before, previous, key, lang, add_chart))
    ctx["charts"] = charts
    ctx["downloads"] = [link for hook in download_links for link in hook(request, access, wave, unit, key)]
    return render_staff(request, "dashboards/dashboard.html", ctx)


def _responses(wave: Wave, unit: Unit | None, parents: dict[int, int | None]) -> int:
    """Submitted responses of an unreleased wave in the unit and below (or the organisation)."""
    qs = Response.objects.filter(wave=wave, submitted_on__isnull=False)
    if unit is not None:
        qs = qs.filter(unit_id__in=[u for u in parents if unit.pk in ancestors(u, parents)])
    return qs.count()


def _heat_nav(slug: str, wave: Wave, unit_id: int | None, name: str | None, value: int | None, page: int,
              pages: int, lang: str) -> dict | None:  # fmt: skip
    if pages <= 1:
        return None

    def link(p: int) -> str:
        return page_url(slug, wave, unit_id, name, value, page=p if p > 1 else None) + "#heatmap"

    return {
        "page": page,
        "pages": pages,
        "text": t("dash_heat_page", lang, page=page, pages=pages),
        "links": [{"n": p, "url": link(p), "current": p == page} for p in range(1, pages + 1)],
    }


def _measures(access: Access, groups: WaveGroups, key: GroupKey, wave: Wave, unit: Unit | None, lang: str) -> dict:
    """The top measures for the group, each with a "create action" form when the user may edit the plan."""
    recs = content.recommendations(groups, key, lang)
    action_unit = unit.pk if unit else None
    can_edit = access.can(Perm.EDIT_ACTION_PLAN, action_unit)
    can_view_plan = access.can(Perm.VIEW_ACTION_PLAN, action_unit)
    top = recs.measures.head(content.TOP_MEASURES) if recs is not None else None
    items = []
    if top is not None and len(top):
        existing = dict(
            Action.objects.filter(wave=wave, unit=unit, measure_id__in=list(top.index)).values_list("measure_id", "pk")
        )
        for measure_id, row in top.iterrows():
            action = existing.get(measure_id)
            items.append(
                {
                    "id": measure_id,
                    "title": row["title"],
                    "share": t(
                        "dash_measure_share",
                        lang,
                        n=num(row["n"], lang),
                        total=num(recs.n, lang),
                        share=pct(row["share"], lang),
                    ),
                    "why": row["why"],
                    "action_url": reverse("actions:detail", args=[access.organisation.slug, action])
                    if action and can_view_plan
                    else "",
                }
            )
    return {
        "items": items,
        "can_edit": can_edit,
        "unit_value": str(action_unit) if action_unit else ORG,
        "plan_url": reverse("actions:plan", args=[access.organisation.slug, wave.pk]) if can_view_plan else "",
    }


def _comparison(groups: WaveGroups, before: WaveGroups | None, previous: Wave | None, key: GroupKey, lang: str,
                add_chart) -> dict:  # fmt: skip
    """The comparison with the previous released wave: the change chart, situation shares then and
    now, and for two confidential waves the suppressed transition matrix."""
    out: dict = {"previous": previous}
    if previous is None:
        out["compare_note"] = t("dash_compare_none", lang)
        return out
    comp = content.comparison(groups, before, key)
    if comp is None:
        out["compare_note"] = t("dash_compare_hidden", lang, wave=previous.name)
        return out
    add_chart("change", t("dash_change_caption", lang, wave=previous.name), open_table=True)
    out["situations_then_now"] = [
        {
            "name": situation_name(k, lang),
            "then": pct(row["share_previous"], lang),
            "now": pct(row["share_current"], lang),
            "n_then": num(row["n_previous"], lang),
            "n_now": num(row["n_current"], lang),
            "change": points(row["change_points"], lang),
        }
        for k, row in comp.situations.iterrows()
    ]
    out["compare_n"] = {"then": num(comp.n_previous, lang), "now": num(comp.n_current, lang)}
    out["cuts_differ"] = comp.cuts_differ
    out["follow_up"] = _follow_up(groups, previous, key, comp, lang)
    if groups.wave.mode == "confidential" and previous.mode == "confidential":
        moves = content.transitions(comp, groups.wave.min_group_size)
        if moves is None:
            out["transitions_note"] = t("dash_transitions_too_few", lang, min=groups.wave.min_group_size)
        else:
            out["transitions"] = {
                "names": [situation_name(k, lang) for k in moves.keys],
                "rows": [
                    {
                        "name": situation_name(k, lang),
                        "cells": ["*" if c is None else num(c, lang) for c in cells],
                    }
                    for k, cells in zip(moves.keys, moves.cells, strict=True)
                ],
                "matched": num(moves.matched, lang),
                "suppressed": moves.suppressed,
            }
    return out


def _follow_up(groups: WaveGroups, previous: Wave, key: GroupKey, comp, lang: str) -> list[dict]:
    """Issue 4, point 4: per measure chosen for this group after the previous wave, the change in
    each dimension it targets (from the comparison, so only groups shown in both waves)."""
    unit_id = None if key.unit == groups.root_id else key.unit
    actions = Action.objects.filter(wave=previous, unit_id=unit_id).exclude(measure_id="").order_by("pk")
    status = {a.measure_id: t(f"plan_status_{a.status}", lang) for a in actions}
    if not status:
        return []
    frame = measure_follow_up(list(status), comp)
    rows = []
    for _, r in frame[frame["measured"]].iterrows():
        rows.append(
            {
                "measure": r[f"title_{lang}"],
                "status": status[r["measure_id"]],
                "dimension": r[f"name_{lang}"],
                "then": score(r["mean_previous"], lang),
                "now": score(r["mean_current"], lang),
                "change": points(r["change"], lang),
                "reading": t(f"dash_reading_{r['reading']}", lang) if isinstance(r["reading"], str) else "–",
            }
        )
    return rows


# --- charts ------------------------------------------------------------------------------------------


@staff_view(Perm.VIEW_ORG_DASHBOARD)
@require_GET
def wave_chart(request: HttpRequest, access: Access, wave_id: int, name: str) -> HttpResponse:
    return _chart(request, access, _wave(access, wave_id), None, name)


@staff_view(Perm.VIEW_UNIT_DASHBOARD)
@require_GET
def unit_chart(request: HttpRequest, access: Access, wave_id: int, unit_id: int, name: str) -> HttpResponse:
    wave = _wave(access, wave_id)
    return _chart(request, access, wave, _unit(access, unit_id), name)


def _chart(request: HttpRequest, access: Access, wave: Wave, unit: Unit | None, name: str) -> HttpResponse:
    """A chart of a shown group as SVG; 404 for a hidden or empty group, an unreleased wave, or no such chart."""
    lang = staff_lang(request)
    cell, value = _cell(request, wave)
    page = _page(request)
    if name not in content.CHART_NAMES:
        raise Http404("no such chart")
    groups = wave_groups(wave) if wave.is_released else None
    if groups is None:
        raise Http404("not released")
    key = groups.key(unit.pk if unit else None, cell, value)
    if not content.is_group(groups, key) or not groups.shown(key):
        raise Http404("no such group")
    previous = previous_wave(wave) if name == "change" else None
    before = wave_groups(previous) if previous is not None else None
    chart = content.chart(groups, before, key, name, lang, all_units=unit is None, page=page)
    if chart is None:
        raise Http404("no such chart")
    _audit(request, access, "dashboard_chart", wave, unit, cell, value, f"chart={name}")
    response = HttpResponse(chart.svg.encode("utf-8"), content_type="image/svg+xml")
    response["Content-Security-Policy"] = SVG_CSP
    response["Content-Disposition"] = f'inline; filename="{name}.svg"'
    return response


# --- what is hidden and why ------------------------------------------------------------------------------


KINDS = ("unit", "filter", "unit_filter")


@staff_view(Perm.VIEW_HIDDEN)
@require_GET
def hidden(request: HttpRequest, access: Access, wave_id: int) -> HttpResponse:
    """Every hidden group of a released wave with its n and why (HR: ``view_hidden``)."""
    lang = staff_lang(request)
    org = access.organisation
    wave = _wave(access, wave_id)
    groups = wave_groups(wave) if wave.is_released else None
    record(request, Verb.VIEWED, organisation=org, object_type="dashboard_hidden", object_id=wave.pk, wave=wave)
    ctx: dict = {
        "lang": lang,
        "organisation": org,
        "wave": wave,
        "crumbs": _crumbs(access, wave, groups, None, lang),
    }
    if groups is None:
        status = wave_status(wave)
        ctx.update(released=False, why=_why_not_released(wave, status, lang))
        return render_staff(request, "dashboards/hidden.html", ctx)
    sections = {kind: [] for kind in KINDS}
    decisions = list(groups.disclosure)
    for d in decisions:
        if d.status != HIDDEN or d.kind not in sections:
            continue
        k: GroupKey = d.key
        target = None if k.unit == groups.root_id else k.unit
        sections[d.kind].append(
            {
                "label": groups.disclosure.label(k, lang),
                "n": num(d.n, lang),
                "why": groups.disclosure.sentence(k, lang),
                "url": page_url(org.slug, wave, target, k.filter, k.value),
            }
        )
    reportable = [d for d in decisions if d.kind in KINDS]
    ctx.update(
        released=True,
        sections=[
            {"kind": k, "title": t(f"dash_hidden_kind_{k}", lang), "rows": sections[k]}
            for k in KINDS
            if any(d.kind == k for d in decisions)  # no section for a kind of group this wave does not have
        ],
        counts=t(
            "dash_hidden_counts",
            lang,
            hidden=num(sum(1 for d in reportable if d.status == HIDDEN), lang),
            total=num(len(reportable), lang),
            min=wave.min_group_size,
        ),
    )
    return render_staff(request, "dashboards/hidden.html", ctx)
