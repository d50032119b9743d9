"""Routes of the aid pages (included by funds/urls.py). Under "aid/": a single segment
after /funds/ is a fund's public id (`funds:fund`), matched first."""

from django.urls import path

from solnet.funds import aid_views

urlpatterns: list = [
    path("aid/requests/", aid_views.requests, name="requests"),
    path("aid/requests/<str:public_id>/", aid_views.request_detail, name="request"),
    path("aid/requests/<str:public_id>/vote/", aid_views.request_vote, name="request_vote"),
    path("aid/requests/<str:public_id>/pay/", aid_views.request_pay, name="request_pay"),
    path(
        "aid/requests/<str:public_id>/receipts/<str:receipt_id>/",
        aid_views.request_receipt,
        name="request_receipt",
    ),
    path("aid/lottery/<str:public_id>/", aid_views.lottery_page, name="lottery"),
    path(
        "aid/lottery/<str:public_id>/<str:draw_id>/draw/",
        aid_views.lottery_draw,
        name="lottery_draw",
    ),
    path("<str:public_id>/ask/", aid_views.ask, name="ask"),
    path("<str:public_id>/ask-for-help/", aid_views.ask_public, name="ask_public"),
    path(
        "<str:public_id>/ask-for-help/thanks/",
        aid_views.ask_public_thanks,
        name="ask_public_thanks",
    ),
]
