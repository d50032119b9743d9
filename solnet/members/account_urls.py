"""The parts of allauth SolNet uses: signing in and out, re-authentication, password change and
second factors. Open sign-up, email management and email password resets are left out: people
join by invitation, an account needs no email address, and a lost password is reset by an
organizer's one-time link (`reset/<token>/`), after which the second factor is still asked."""

from allauth.account import views as account_views
from django.urls import include, path

from solnet.members import views as member_views

urlpatterns = [
    path("login/", account_views.login, name="account_login"),
    path("logout/", account_views.logout, name="account_logout"),
    path("inactive/", account_views.account_inactive, name="account_inactive"),
    path("reauthenticate/", account_views.reauthenticate, name="account_reauthenticate"),
    path("password/change/", account_views.password_change, name="account_change_password"),
    path("reset/<str:token>/", member_views.password_reset, name="account_reset_password"),
    path("2fa/", include("allauth.mfa.urls")),
]
