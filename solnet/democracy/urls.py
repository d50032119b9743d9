from django.urls import path

from solnet.democracy import views

app_name = "democracy"

urlpatterns = [
    path("", views.index, name="index"),
    path("bodies/<str:public_id>/", views.body_detail, name="body"),
    path("bodies/<str:public_id>/propose/", views.propose, name="propose"),
    path("of/<str:kind>/<str:public_id>/", views.body_of, name="body_of"),
    path("fights/<str:public_id>/<str:target>/", views.put_move, name="put_move"),
    path("<str:public_id>/", views.proposal_detail, name="proposal"),
    path("<str:public_id>/vote/", views.vote, name="vote"),
    path("<str:public_id>/open/", views.open_vote, name="open"),
    path("<str:public_id>/close/", views.close, name="close"),
    path("<str:public_id>/withdraw/", views.withdraw, name="withdraw"),
    path("<str:public_id>/offline/", views.offline, name="offline"),
    path("<str:public_id>/receipt/", views.receipt, name="receipt"),
]
