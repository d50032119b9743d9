from django.urls import path

from solnet.councils import views

app_name = "councils"

urlpatterns = [
    path("", views.council_list, name="list"),
    path("new/", views.council_new, name="new"),
    path("people/<str:person_id>/join/", views.member_add, name="member_add"),
    path("<str:public_id>/", views.council_detail, name="detail"),
    path("<str:public_id>/sites/", views.site_add, name="site_add"),
    path(
        "<str:public_id>/members/<str:person_id>/remove/",
        views.member_remove,
        name="member_remove",
    ),
]
