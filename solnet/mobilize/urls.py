from django.urls import path

from solnet.mobilize import (
    alert_views,
    calendar_views,
    call_views,
    public_views,
    send_views,
    sms_views,
    template_views,
    views,
)

app_name = "mobilize"

urlpatterns = [
    path("", views.index, name="index"),
    path("new/", views.action_new, name="new"),
    # Reached without signing in, on a secret in the address.
    path("open/<str:token>/", public_views.public_page, name="public"),
    path("answer/<str:token>/", public_views.rsvp, name="rsvp"),
    path("alert-answer/<str:token>/", alert_views.alert_answer, name="alert_answer"),
    # Rapid-response alerts and the zones responders cover.
    path("alerts/", alert_views.alert_list, name="alerts"),
    path("alerts/<str:public_id>/", alert_views.alert_detail, name="alert"),
    path("alerts/<str:public_id>/counts/", alert_views.alert_counts, name="alert_counts"),
    path("alerts/<str:public_id>/verify/", alert_views.alert_verify, name="alert_verify"),
    path("alerts/<str:public_id>/close/", alert_views.alert_close, name="alert_close"),
    path("alerts/<str:public_id>/respond/", alert_views.alert_respond, name="alert_respond"),
    path("zones/", alert_views.zones, name="zones"),
    path("zones/<int:pk>/", alert_views.zone_detail, name="zone"),
    # Calendar feeds: the member's page, and the feed a calendar app fetches by its secret.
    path("calendar/", calendar_views.calendar_page, name="calendar"),
    path("calendar/new/", calendar_views.calendar_new, name="calendar_new"),
    path(
        "calendar/<str:public_id>/revoke/",
        calendar_views.calendar_revoke,
        name="calendar_revoke",
    ),
    path("calendar/<str:secret>.ics", calendar_views.calendar_feed, name="calendar_feed"),
    # The SMS gateway's webhooks: public, taken only with the gateway's signature.
    path("sms/inbound/", sms_views.sms_inbound, name="sms_inbound"),
    path("sms/status/", sms_views.sms_status, name="sms_status"),
    # The network's message templates.
    path("templates/", template_views.template_list, name="templates"),
    path("templates/<int:pk>/delete/", template_views.template_delete, name="template_delete"),
    path("senders/", template_views.senders, name="senders"),
    path("senders/<int:pk>/toggle/", template_views.sender_toggle, name="sender_toggle"),
    # One bulk send: how far it got, stopping it, trying the failed again, the uncertain.
    path("sends/<str:public_id>/", send_views.send_detail, name="send"),
    path("sends/<str:public_id>/progress/", send_views.send_progress, name="send_progress"),
    path("sends/<str:public_id>/cancel/", send_views.send_cancel, name="send_cancel"),
    path("sends/<str:public_id>/retry/", send_views.send_retry, name="send_retry"),
    path("sends/<str:public_id>/uncertain/", send_views.send_uncertain, name="send_uncertain"),
    # (Pages of other parts go above: what follows takes any first segment as an action.)
    # One action.
    path("<str:public_id>/", views.action_detail, name="action"),
    path("<str:public_id>/edit/", views.action_edit, name="edit"),
    path("<str:public_id>/turnout/", views.turnout, name="turnout"),
    path("<str:public_id>/answer/", views.answer, name="answer"),
    path("<str:public_id>/cancel/", views.action_cancel, name="cancel"),
    path("<str:public_id>/public/", views.action_public, name="set_public"),
    path("<str:public_id>/links/revoke/", views.revoke_links, name="revoke_links"),
    path("<str:public_id>/shifts/", views.shift_add, name="shift_add"),
    path("<str:public_id>/shifts/<int:pk>/remove/", views.shift_remove, name="shift_remove"),
    path("<str:public_id>/roles/", views.role_add, name="role_add"),
    path("<str:public_id>/roles/<int:pk>/remove/", views.role_remove, name="role_remove"),
    path("<str:public_id>/ask/", views.ask_people, name="ask"),
    path("<str:public_id>/asks/", views.asks, name="asks"),
    path("<str:public_id>/check-in/", views.check_in_list, name="check_in_list"),
    path("<str:public_id>/check-in/member/", views.check_in_me, name="check_in_member"),
    path("<str:public_id>/check-in/<int:pk>/", views.check_in, name="check_in"),
    path("<str:public_id>/attendance/", views.attendance, name="attendance"),
    path("<str:public_id>/call-out/", views.call_out, name="call_out"),
    path("<str:public_id>/calls/new/", call_views.call_list_new, name="call_list_new"),
    path("<str:public_id>/calls/<str:list_id>/", call_views.call_list_detail, name="call_list"),
    path(
        "<str:public_id>/calls/<str:list_id>/callers/",
        call_views.call_list_callers,
        name="call_list_callers",
    ),
    path(
        "<str:public_id>/calls/<str:list_id>/reassign/",
        call_views.call_list_reassign,
        name="call_list_reassign",
    ),
    path(
        "<str:public_id>/calls/<str:list_id>/<int:pk>/",
        call_views.call_record,
        name="call_record",
    ),
]
