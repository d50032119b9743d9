from django.urls import path

from solnet.defense import (
    field_views,
    hotline_views,
    jail_views,
    legal_views,
    line_views,
    rights_views,
    views,
)

app_name = "defense"

urlpatterns = [
    path("", views.home, name="home"),
    path("handover/", views.handover, name="handover"),
    path("hotline/", hotline_views.hotline, name="hotline"),
    path("hotline/cards.pdf", hotline_views.hotline_card, name="hotline_card"),
    path("rota/", hotline_views.rota_page, name="rota"),
    path("rota/<str:public_id>/", hotline_views.slot, name="slot"),
    path("rota/<str:public_id>/remove/", hotline_views.slot_remove, name="slot_remove"),
    path("rota/<str:public_id>/cover/", hotline_views.slot_cover, name="slot_cover"),
    path("reports/new/", views.report_new, name="report_new"),
    path("reports/<str:public_id>/", views.report, name="report"),
    path("reports/<str:public_id>/close/", views.report_close, name="report_close"),
    path("reports/<str:public_id>/verify/", views.report_verify, name="report_verify"),
    path("reports/<str:public_id>/alert/", views.report_alert, name="report_alert"),
    path("reports/<str:public_id>/after/", views.report_after, name="report_after"),
    path("figures/", views.figures_page, name="figures"),
    path("verify/<str:public_id>/", views.verification, name="verify"),
    path("tell/<str:address>/", hotline_views.public_report, name="public_report"),
    path("conversations/<str:public_id>/", line_views.conversation, name="conversation"),
    path(
        "conversations/<str:public_id>/reply/",
        line_views.conversation_reply,
        name="conversation_reply",
    ),
    path(
        "conversations/<str:public_id>/close/",
        line_views.conversation_close,
        name="conversation_close",
    ),
    # Field notes at a confirmed incident.
    path("incidents/", field_views.incidents, name="incidents"),
    path("incidents/<str:public_id>/", field_views.incident, name="incident"),
    path(
        "incidents/<str:public_id>/check-in/",
        field_views.incident_check_in,
        name="incident_check_in",
    ),
    path("incidents/<str:public_id>/entries/", field_views.entry_new, name="entry_new"),
    path(
        "incidents/<str:public_id>/entries/<str:entry_id>/correct/",
        field_views.entry_correct,
        name="entry_correct",
    ),
    path(
        "incidents/<str:public_id>/entries/<str:entry_id>/annotate/",
        field_views.entry_annotate,
        name="entry_annotate",
    ),
    path(
        "incidents/<str:public_id>/entries/<str:entry_id>/media/",
        field_views.entry_media,
        name="entry_media",
    ),
    # The legal hand-off: asked and approved inside; the legal contact's link outside.
    path("incidents/<str:public_id>/handoff/", legal_views.handoff_request, name="handoff"),
    path(
        "incidents/<str:public_id>/handoff/link/",
        legal_views.handoff_link,
        name="handoff_link",
    ),
    path("legal/<str:token>/", legal_views.legal_bundle, name="legal_bundle"),
    path("legal/<str:token>/bundle.zip", legal_views.legal_download, name="legal_download"),
    # Know-your-rights cards: read and printed by anyone.
    path("rights/", rights_views.rights_page, name="rights"),
    path("rights/cards.pdf", rights_views.rights_pdf, name="rights_pdf"),
    path("rights/edit/", rights_views.rights_edit, name="rights_edit"),
    path("rights/edit/<str:public_id>/", rights_views.rights_card, name="rights_card"),
    path(
        "rights/edit/<str:public_id>/delete/",
        rights_views.rights_delete,
        name="rights_delete",
    ),
    # Jail support.
    path("incidents/<str:public_id>/arrests/new/", jail_views.arrest_new, name="arrest_new"),
    path("jail/", jail_views.cases, name="cases"),
    path("jail/<str:public_id>/", jail_views.arrestee, name="arrestee"),
    path("jail/<str:public_id>/edit/", jail_views.arrestee_edit, name="arrestee_edit"),
    path("jail/<str:public_id>/status/", jail_views.arrestee_status, name="arrestee_status"),
    path("jail/<str:public_id>/court/", jail_views.court_date_add, name="court_date_add"),
    path("jail/<str:public_id>/tasks/", jail_views.task_add, name="task_add"),
    path(
        "jail/<str:public_id>/tasks/<str:task_id>/done/",
        jail_views.task_done,
        name="task_done",
    ),
    path("jail/<str:public_id>/bail/", jail_views.bail_ask, name="bail_ask"),
    # The gateway's webhooks for the hotline's number.
    path("line/voice/", line_views.voice, name="voice"),
    path("line/voice/next/", line_views.voice_after, name="voice_after"),
    path("line/text/", line_views.text, name="text"),
]
