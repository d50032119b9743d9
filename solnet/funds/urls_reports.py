"""Routes of the reports pages (included by funds/urls.py)."""

from django.urls import path

from solnet.funds import report_views

urlpatterns: list = [
    path("report/public/", report_views.public_report, name="public_report"),
    path("<str:public_id>/report/", report_views.report, name="report"),
    path("journal/exports/new/", report_views.export_new, name="export_new"),
    path("journal/exports/<str:public_id>/", report_views.export_detail, name="export_detail"),
    path(
        "journal/exports/<str:public_id>/download/",
        report_views.export_download,
        name="export_download",
    ),
]
