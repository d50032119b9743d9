from django.urls import path

from solnet.democracy import body_views, meeting_views, views

app_name = "democracy"

urlpatterns = [
    path("", body_views.index, name="index"),
    path("bodies/<str:public_id>/", body_views.body_detail, name="body"),
    path("bodies/<str:public_id>/propose/", body_views.propose, name="propose"),
    path("bodies/<str:public_id>/meetings/new/", meeting_views.meeting_new, name="meeting_new"),
    path("bodies/<str:public_id>/proxy/", meeting_views.proxy_give, name="proxy_give"),
    path("bodies/<str:public_id>/proxy/revoke/", meeting_views.proxy_revoke, name="proxy_revoke"),
    path("meetings/", meeting_views.meeting_list, name="meetings"),
    path("meetings/<str:public_id>/", meeting_views.meeting_detail, name="meeting"),
    path("meetings/<str:public_id>/open/", meeting_views.meeting_open, name="meeting_open"),
    path("meetings/<str:public_id>/close/", meeting_views.meeting_close, name="meeting_close"),
    path("meetings/<str:public_id>/roles/", meeting_views.meeting_roles, name="meeting_roles"),
    path("meetings/<str:public_id>/attend/", meeting_views.meeting_attend, name="meeting_attend"),
    path("meetings/<str:public_id>/speak/", meeting_views.meeting_speak, name="meeting_speak"),
    path("meetings/<str:public_id>/next/", meeting_views.meeting_next, name="meeting_next"),
    path(
        "meetings/<str:public_id>/items/", meeting_views.meeting_item_add, name="meeting_item_add"
    ),
    path(
        "meetings/<str:public_id>/items/<str:item_id>/",
        meeting_views.meeting_item_done,
        name="meeting_item_done",
    ),
    path(
        "meetings/<str:public_id>/minutes/", meeting_views.meeting_minutes, name="meeting_minutes"
    ),
    path("delegates/<str:public_id>/", meeting_views.delegate_detail, name="delegate"),
    path(
        "delegates/<str:public_id>/report/",
        meeting_views.delegate_report,
        name="delegate_report",
    ),
    path("notices/", meeting_views.notice_list, name="notices"),
    path("notices/read/", meeting_views.notices_read, name="notices_read"),
    path("of/<str:kind>/<str:public_id>/", body_views.body_of, name="body_of"),
    path("fights/<str:public_id>/<str:target>/", body_views.put_move, name="put_move"),
    path("<str:public_id>/", views.proposal_detail, name="proposal"),
    path("<str:public_id>/vote/", views.vote, name="vote"),
    path("<str:public_id>/open/", views.open_vote, name="open"),
    path("<str:public_id>/close/", views.close, name="close"),
    path("<str:public_id>/withdraw/", views.withdraw, name="withdraw"),
    path("<str:public_id>/offline/", views.offline, name="offline"),
    path("<str:public_id>/receipt/", views.receipt, name="receipt"),
]
