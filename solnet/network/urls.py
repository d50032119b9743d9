from django.urls import path

from solnet.network import views

app_name = "network"

urlpatterns = [
    path("settings/", views.setup, name="setup"),
]
