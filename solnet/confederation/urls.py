from django.urls import path

from solnet.confederation import callout_views, views

app_name = "confederation"

urlpatterns = [
    path("", views.peers, name="peers"),
    path("pair/", views.pair, name="pair"),
    path("codes/<str:public_id>/withdraw/", views.code_withdraw, name="code_withdraw"),
    path("key/rotate/", views.rotate_key, name="rotate_key"),
    path("what-leaves/", views.what_leaves, name="what_leaves"),
    path("balance/", callout_views.balance, name="balance"),
    path("requests/", callout_views.requests, name="requests"),
    path("requests/new/", callout_views.callout_new, name="callout_new"),
    path("requests/<str:public_id>/", callout_views.request_page, name="request"),
    path("requests/<str:public_id>/change/", callout_views.request_change, name="request_change"),
    path(
        "requests/<str:public_id>/stand-down/",
        callout_views.request_stand_down,
        name="request_stand_down",
    ),
    path("inbox/<str:public_id>/", callout_views.incoming_page, name="incoming"),
    path("inbox/<str:public_id>/accept/", callout_views.incoming_accept, name="incoming_accept"),
    path("inbox/<str:public_id>/decline/", callout_views.incoming_decline, name="incoming_decline"),
    path("inbox/<str:public_id>/turnout/", callout_views.incoming_turnout, name="incoming_turnout"),
    path("<str:public_id>/", views.peer, name="peer"),
    path("<str:public_id>/propose/", views.peer_propose, name="peer_propose"),
]
