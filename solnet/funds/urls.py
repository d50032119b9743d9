from django.urls import path

from solnet.funds import (
    dues_views,
    urls_aid,
    urls_matching,
    urls_online,
    urls_reports,
    urls_statements,
    urls_supplies,
    views,
)

app_name = "funds"

urlpatterns = [
    path("", views.home, name="home"),
    path("new/", views.fund_new, name="fund_new"),
    path("settings/", views.settings, name="settings"),
    path("accounts/", views.accounts, name="accounts"),
    path("journal/", views.journal, name="journal"),
    path("journal/<str:public_id>/", views.entry_detail, name="entry"),
    path("donations/new/", views.donation_new, name="donation_new"),
    path("move/", views.move, name="move"),
    path("opening/", views.opening, name="opening"),
    path("dues/", dues_views.dues_list, name="dues"),
    path("dues/mine/", dues_views.my_dues, name="my_dues"),
    path("dues/mine/pay/", dues_views.pay_dues, name="pay_dues"),
    path("dues/<str:member_id>/payment/", dues_views.dues_payment, name="dues_payment"),
    *urls_online.urlpatterns,
    *urls_reports.urlpatterns,
    *urls_aid.urlpatterns,
    *urls_supplies.urlpatterns,
    *urls_matching.urlpatterns,
    *urls_statements.urlpatterns,
    # Last: a fund's own pages under its public id.
    path("<str:public_id>/", views.fund_detail, name="fund"),
    path("<str:public_id>/rules/", views.fund_rules, name="fund_rules"),
]
