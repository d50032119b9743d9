from django.urls import path

from solnet.members import views

app_name = "members"

urlpatterns = [
    path("", views.member_list, name="list"),
    path("waiting/", views.waiting, name="waiting"),
    path("pending/", views.pending_list, name="pending"),
    path("pending/<str:public_id>/approve/", views.pending_approve, name="pending_approve"),
    path("pending/<str:public_id>/decline/", views.pending_decline, name="pending_decline"),
    path("invitations/", views.invitation_list, name="invitations"),
    path("invitations/<str:public_id>/revoke/", views.invitation_revoke, name="invitation_revoke"),
    path("me/", views.me, name="me"),
    path("me/security/", views.security, name="security"),
    path("me/panic/", views.panic, name="panic"),
    path("me/restore-contacts/", views.restore_contacts, name="restore_contacts"),
    path("me/tokens/", views.api_tokens, name="api_tokens"),
    path("me/tokens/<str:public_id>/revoke/", views.api_token_revoke, name="api_token_revoke"),
    path("<str:public_id>/", views.member_detail, name="detail"),
    path("<str:public_id>/tier/", views.member_tier, name="tier"),
    path("<str:public_id>/roles/grant/", views.member_role_grant, name="role_grant"),
    path("<str:public_id>/roles/revoke/", views.member_role_revoke, name="role_revoke"),
    path("<str:public_id>/deactivate/", views.member_deactivate, name="deactivate"),
    path("<str:public_id>/password-reset/", views.member_password_reset, name="password_reset"),
]
