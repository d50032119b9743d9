from django.urls import path

from solnet.confederation import views

app_name = "confederation"

urlpatterns = [
    path("", views.peers, name="peers"),
    path("pair/", views.pair, name="pair"),
    path("codes/<str:public_id>/withdraw/", views.code_withdraw, name="code_withdraw"),
    path("key/rotate/", views.rotate_key, name="rotate_key"),
    path("what-leaves/", views.what_leaves, name="what_leaves"),
    path("<str:public_id>/", views.peer, name="peer"),
    path("<str:public_id>/propose/", views.peer_propose, name="peer_propose"),
]
