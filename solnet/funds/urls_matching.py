"""Routes of the donor-to-striker matching pages (included by funds/urls.py): a strike fund's
under "<fund>/match/", the rest under "match/" (never a single segment)."""

from django.urls import path

from solnet.funds import matching_views

urlpatterns: list = [
    path("match/donor/<str:token>/", matching_views.donor_link, name="match_donor"),
    path("match/recipients/<str:recipient_id>/verify/", matching_views.verify, name="match_verify"),
    path(
        "match/recipients/<str:recipient_id>/withdraw/",
        matching_views.recipient_withdraw,
        name="match_recipient_withdraw",
    ),
    path(
        "match/pledges/<str:pledge_id>/withdraw/",
        matching_views.pledge_withdraw,
        name="match_pledge_withdraw",
    ),
    path("match/matches/<str:match_id>/sent/", matching_views.sent, name="match_sent"),
    path("match/matches/<str:match_id>/received/", matching_views.received, name="match_received"),
    path("<str:public_id>/match/", matching_views.fund_matching, name="matching"),
    path("<str:public_id>/match/receive/", matching_views.ask_to_receive, name="match_receive"),
    path("<str:public_id>/match/pledge/", matching_views.pledge, name="match_pledge"),
    path("<str:public_id>/match/recipients/", matching_views.recipients, name="match_recipients"),
    path("<str:public_id>/match/round/", matching_views.run_round, name="match_round"),
    path("<str:public_id>/match/give/", matching_views.public_pledge, name="match_public"),
    path(
        "<str:public_id>/match/give/thanks/",
        matching_views.public_thanks,
        name="match_public_thanks",
    ),
]
