"""URLs of group reports, the action-plan documentation, data out and data in (issue 4, points 4-7).

Under the organisation, beside the dashboards (``urls.py`` of the same app):

* ``staff/<org>/results/wave-<id>/report/`` and ``report.pdf`` – the organisation's report
  (view_org_dashboard); ``.../unit-<uid>/report/`` and ``report.pdf`` – a unit's (view_unit_dashboard
  for that unit). ``?lang=nb|en``.
* ``staff/<org>/results/wave-<id>/plan-documentation.pdf|xlsx`` – the action plan with the results
  as the employer's documentation (view_org_dashboard and view_action_plan for the whole organisation).
* ``staff/<org>/results/wave-<id>/export/`` and ``export.csv|xlsx|sav|parquet`` – data out (export_data).
* ``staff/<org>/waves/wave-<id>/import/`` and the steps below it – data in (manage_waves).
"""

from django.urls import path, re_path

from homeoffice.web.dashboards import exports, imports, plan_docs, reports

app_name = "data"
WAVE = "staff/<slug:org_slug>/results/wave-<int:wave_id>/"
WAVE_RE = r"^staff/(?P<org_slug>[-a-zA-Z0-9_]+)/results/wave-(?P<wave_id>[0-9]+)/"
IMPORT = "staff/<slug:org_slug>/waves/wave-<int:wave_id>/import/"
urlpatterns = [
    path(WAVE + "report/", reports.report_page, name="org_report"),
    path(WAVE + "report.pdf", reports.report_pdf, name="org_report_pdf"),
    path(WAVE + "unit-<int:unit_id>/report/", reports.unit_report_page, name="unit_report"),
    path(WAVE + "unit-<int:unit_id>/report.pdf", reports.unit_report_pdf, name="unit_report_pdf"),
    re_path(
        WAVE_RE + r"plan-documentation\.(?P<fmt>pdf|xlsx)$", plan_docs.plan_documentation, name="plan_documentation"
    ),
    path(WAVE + "export/", exports.export_page, name="export_page"),
    re_path(WAVE_RE + r"export\.(?P<fmt>csv|xlsx|sav|parquet)$", exports.export_file, name="export"),
    path(IMPORT, imports.upload, name="import"),
    path(IMPORT + "mapping-<int:mapping_id>/delete/", imports.delete_mapping, name="import_mapping_delete"),
    path(IMPORT + "<slug:token>/mapping/", imports.mapping, name="import_mapping"),
    path(IMPORT + "<slug:token>/preview/", imports.preview, name="import_preview"),
    path(IMPORT + "<slug:token>/run/", imports.run, name="import_run"),
    path(IMPORT + "<slug:token>/cancel/", imports.cancel, name="import_cancel"),
]
