"""Routes of the online pages (included by funds/urls.py): a fund's public donation page and
where the processor sends the donor back, and the processor's webhook."""

from django.urls import path

from solnet.funds import online_views

urlpatterns: list = [
    path("give/<str:public_id>/", online_views.give, name="give"),
    path("give/<str:public_id>/thanks/", online_views.give_thanks, name="give_thanks"),
    path("give/<str:public_id>/cancelled/", online_views.give_cancelled, name="give_cancelled"),
    path("processor/webhook/", online_views.processor_webhook, name="processor_webhook"),
]
