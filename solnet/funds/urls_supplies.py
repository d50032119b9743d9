"""Routes of the supplies pages (included by funds/urls.py): under "supplies/", never a single
segment, so a fund's public id (`funds:fund`) is never shadowed."""

from django.urls import path

from solnet.funds import supplies_views

urlpatterns: list = [
    path("supplies/inventory/", supplies_views.inventory, name="inventory"),
    path(
        "supplies/inventory/<str:public_id>/",
        supplies_views.inventory_item,
        name="inventory_item",
    ),
    path(
        "supplies/inventory/<str:public_id>/remove/",
        supplies_views.inventory_remove,
        name="inventory_remove",
    ),
    path("supplies/action/<str:public_id>/", supplies_views.action_supplies, name="supplies"),
    path("supplies/action/<str:public_id>/needs/", supplies_views.need_add, name="supply_need_add"),
    path(
        "supplies/needs/<str:public_id>/remove/",
        supplies_views.need_remove,
        name="supply_need_remove",
    ),
    path("supplies/needs/<str:public_id>/pledge/", supplies_views.pledge, name="supply_pledge"),
    path(
        "supplies/pledges/<str:public_id>/withdraw/",
        supplies_views.pledge_withdraw,
        name="supply_pledge_withdraw",
    ),
    path("supplies/public/<str:token>/", supplies_views.public_pledge, name="supplies_public"),
    path(
        "supplies/public/<str:token>/thanks/",
        supplies_views.public_pledge_thanks,
        name="supplies_public_thanks",
    ),
]
