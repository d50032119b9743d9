from django.urls import path

from solnet.core import views

app_name = "core"

urlpatterns = [
    path("", views.approval_list, name="approvals"),
    path("<str:public_id>/approve/", views.approval_approve, name="approval_approve"),
    path("<str:public_id>/reject/", views.approval_reject, name="approval_reject"),
]
