from django.urls import path

from solnet.people import views

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
    path("<str:public_id>/", views.person_detail, name="detail"),
    path("<str:public_id>/edit/", views.person_edit, name="edit"),
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
