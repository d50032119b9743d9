"""Pages of the councils app. Each view: access helper → form → service → response."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from solnet.core.access import get_or_404, member_view
from solnet.councils import access, services
from solnet.councils.forms import CouncilForm, MembershipForm, SiteForm
from solnet.people import access as people_access

PAGE_SIZE = 50


@member_view(access.can_see_councils)
@require_GET
def council_list(request: HttpRequest) -> HttpResponse:
    councils = access.visible_councils(request.user)
    page = Paginator(councils, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "councils/council_list.html",
        {"page": page, "can_manage": access.can_manage_councils(request.user)},
    )


@member_view(access.can_manage_councils)
@require_http_methods(["GET", "POST"])
def council_new(request: HttpRequest) -> HttpResponse:
    form = CouncilForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        council = services.create_council(by=request.user, **form.cleaned_data)
        messages.success(request, _("The council is set up. Add its buildings or workplaces."))
        return redirect("councils:detail", public_id=council.public_id)
    return render(
        request,
        "councils/council_form.html",
        {"form": form},
        status=422 if request.method == "POST" else 200,
    )


@member_view(access.can_see_councils)
@require_GET
def council_detail(request: HttpRequest, public_id: str) -> HttpResponse:
    council = access.get_council_or_404(request.user, public_id)
    memberships = council.memberships.select_related("person__member", "site").prefetch_related(
        "person__channels"
    )
    page = Paginator(memberships, PAGE_SIZE).get_page(request.GET.get("page"))
    roster = [
        (m, access.roster_contacts(request.user, council, m.person)) for m in page.object_list
    ]
    return render(
        request,
        "councils/council_detail.html",
        {
            "council": council,
            "sites": council.sites.all(),
            "page": page,
            "roster": roster,
            "can_manage": access.can_manage_councils(request.user),
            "site_form": SiteForm(),
        },
    )


@member_view(access.can_manage_councils)
@require_POST
def site_add(request: HttpRequest, public_id: str) -> HttpResponse:
    council = access.get_council_or_404(request.user, public_id)
    form = SiteForm(request.POST)
    if form.is_valid():
        services.add_site(council=council, by=request.user, **form.cleaned_data)
        messages.success(request, _("Added."))
    else:
        messages.error(request, _("Give the building or workplace a name."))
    return redirect("councils:detail", public_id=council.public_id)


@member_view(access.can_manage_councils)
@require_POST
def member_add(request: HttpRequest, person_id: str) -> HttpResponse:
    """From a person's page: put them in a council."""
    person = people_access.get_person_or_404(request.user, person_id)
    form = MembershipForm(request.POST, councils=access.visible_councils(request.user))
    if form.is_valid():
        try:
            services.add_member(
                council=form.cleaned_data["council"],
                person=person,
                role=form.cleaned_data["role"],
                site=form.cleaned_data["site"],
                by=request.user,
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Added to the council."))
    else:
        messages.error(request, _("Choose a council from the list."))
    return redirect("people:detail", public_id=person.public_id)


@member_view(access.can_manage_councils)
@require_POST
def member_remove(request: HttpRequest, public_id: str, person_id: str) -> HttpResponse:
    council = access.get_council_or_404(request.user, public_id)
    membership = get_or_404(council.memberships.all(), person__public_id=person_id)
    services.remove_member(membership=membership, by=request.user)
    messages.success(request, _("Removed from the council."))
    return redirect("councils:detail", public_id=council.public_id)
