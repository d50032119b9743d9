from django.urls import path

from solnet.councils import views

app_name = "councils"

urlpatterns = [
    path("", views.council_list, name="list"),
    path("new/", views.council_new, name="new"),
    path("people/<str:person_id>/join/", views.member_add, name="member_add"),
    path("<str:public_id>/", views.council_detail, name="detail"),
    path("<str:public_id>/sites/", views.site_add, name="site_add"),
    path("<str:public_id>/sites/<str:site_id>/", views.site_chart, name="chart"),
    path("<str:public_id>/sites/<str:site_id>/sections/", views.section_add, name="section_add"),
    path("<str:public_id>/committees/", views.committee_new, name="committee_new"),
    path(
        "<str:public_id>/committees/<str:committee_id>/",
        views.committee_detail,
        name="committee",
    ),
    path(
        "<str:public_id>/committees/<str:committee_id>/members/",
        views.committee_member_add,
        name="committee_member_add",
    ),
    path(
        "<str:public_id>/committees/<str:committee_id>/members/<str:person_id>/remove/",
        views.committee_member_remove,
        name="committee_member_remove",
    ),
    path(
        "<str:public_id>/members/<str:person_id>/",
        views.membership_detail,
        name="membership",
    ),
    path(
        "<str:public_id>/members/<str:person_id>/place/",
        views.membership_place,
        name="membership_place",
    ),
    path(
        "<str:public_id>/members/<str:person_id>/assess/",
        views.membership_assess,
        name="membership_assess",
    ),
    path(
        "<str:public_id>/members/<str:person_id>/one-on-ones/",
        views.one_on_one_log,
        name="one_on_one_log",
    ),
    path(
        "<str:public_id>/members/<str:person_id>/one-on-ones/<str:talk_id>/done/",
        views.follow_up_done,
        name="follow_up_done",
    ),
    path(
        "<str:public_id>/members/<str:person_id>/remove/",
        views.member_remove,
        name="member_remove",
    ),
]
