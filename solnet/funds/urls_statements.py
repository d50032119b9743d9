"""Routes of the bank statement pages (included by funds/urls.py, before a fund's own)."""

from django.urls import path

from solnet.funds import statement_views

urlpatterns: list = [
    path("statements/", statement_views.statement_list, name="statements"),
    path("statements/banks/", statement_views.bank_mappings, name="bank_mappings"),
    path("statements/banks/new/", statement_views.bank_mapping_new, name="bank_mapping_new"),
    path(
        "statements/lines/<str:public_id>/", statement_views.statement_line, name="statement_line"
    ),
    path("statements/<str:public_id>/", statement_views.statement_detail, name="statement"),
]
