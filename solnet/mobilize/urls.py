from django.urls import path

from solnet.mobilize import views

app_name = "mobilize"

urlpatterns = [
    path("", views.index, name="index"),
]
