from django.urls import path

from solnet.people import export_views, import_views, views

app_name = "people"

urlpatterns = [
    path("", views.person_list, name="list"),
    path("new/", views.person_new, name="new"),
    path("requests/", views.request_list, name="requests"),
    path("tags/", views.tag_new, name="tag_new"),
    path("tags/apply/", views.bulk_tag, name="bulk_tag"),
    path("filters/", views.filter_save, name="filter_save"),
    path("filters/<str:public_id>/delete/", views.filter_delete, name="filter_delete"),
    path("requests/<str:public_id>/accept/", views.request_accept, name="request_accept"),
    path("requests/<str:public_id>/decline/", views.request_decline, name="request_decline"),
    path("me/", views.own_record, name="me"),
    path("me/download/", views.own_record_download, name="me_download"),
    path("me/delete/", views.own_record_delete, name="me_delete"),
    path("me/channels/<int:channel_id>/", views.own_channel, name="me_channel"),
    path("exports/", export_views.export_list, name="exports"),
    path("exports/new/", export_views.export_new, name="export_new"),
    path("exports/<str:public_id>/", export_views.export_detail, name="export_detail"),
    path(
        "exports/<str:public_id>/download/",
        export_views.export_download,
        name="export_download",
    ),
    path("import/", import_views.import_new, name="import_new"),
    path("import/<str:public_id>/", import_views.import_detail, name="import_detail"),
    path("import/<str:public_id>/columns/", import_views.import_columns, name="import_columns"),
    path("import/<str:public_id>/preview/", import_views.import_preview, name="import_preview"),
    path("import/<str:public_id>/rows/<int:row>/", import_views.import_fix, name="import_fix"),
    path("import/<str:public_id>/start/", import_views.import_start, name="import_start"),
    path("import/<str:public_id>/restart/", import_views.import_restart, name="import_restart"),
    path("import/<str:public_id>/delete/", import_views.import_delete, name="import_delete"),
    path("import/<str:public_id>/refused.csv", import_views.import_refused, name="import_refused"),
    path(
        "<str:public_id>/to-check/<str:flag_id>/dismiss/",
        import_views.flag_dismiss,
        name="flag_dismiss",
    ),
    path("<str:public_id>/merge/", import_views.merge_pick, name="merge_pick"),
    path("<str:public_id>/merge/<str:other_id>/", import_views.merge, name="merge"),
    path("<str:public_id>/", views.person_detail, name="detail"),
    path("<str:public_id>/edit/", views.person_edit, name="edit"),
    path(
        "<str:public_id>/channels/<int:channel_id>/",
        views.channel_consent,
        name="channel_consent",
    ),
    path("<str:public_id>/asks/", views.ask_log, name="ask_log"),
    path("<str:public_id>/skills/", views.skill_add, name="skill_add"),
    path("<str:public_id>/skills/<str:skill>/remove/", views.skill_remove, name="skill_remove"),
    path("<str:public_id>/available/", views.availability_add, name="availability_add"),
    path(
        "<str:public_id>/available/<int:window_id>/remove/",
        views.availability_remove,
        name="availability_remove",
    ),
    path("<str:public_id>/asks/<str:ask_id>/", views.ask_settle, name="ask_settle"),
]
