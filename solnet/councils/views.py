"""Pages of the councils app. Each view: access helper → form → service → response."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from solnet.core import audit
from solnet.core.access import get_or_404, member_view
from solnet.councils import access, charting, services
from solnet.councils.forms import (
    AssessForm,
    CommitteeForm,
    CommitteeMemberForm,
    CouncilForm,
    MembershipForm,
    OneOnOneForm,
    PlaceForm,
    SectionForm,
    SiteForm,
)
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
    can_shape = access.can_shape(request.user, council)
    return render(
        request,
        "councils/council_detail.html",
        {
            "council": council,
            "sites": Paginator(council.sites.all(), PAGE_SIZE).get_page(request.GET.get("sites")),
            "committees": Paginator(council.committees.all(), PAGE_SIZE).get_page(
                request.GET.get("committees")
            ),
            "page": page,
            "roster": roster,
            "can_manage": access.can_manage_councils(request.user),
            "can_chart": access.can_chart(request.user, council),
            "can_shape": can_shape,
            "site_form": SiteForm(),
            "committee_form": CommitteeForm() if can_shape else None,
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


# --- inside a council: units, departments, shifts, committees ---------------------------------


def _shaped_council(request: HttpRequest, public_id: str):
    """The council, for someone who may change its shape or chart it; 404 for anyone else."""
    council = access.get_council_or_404(request.user, public_id)
    if not access.can_shape(request.user, council):
        audit.record("access.denied", actor=request.user, target=request.resolver_match.view_name)
        raise Http404
    return council


@member_view(access.can_see_councils)
@require_POST
def section_add(request: HttpRequest, public_id: str, site_id: str) -> HttpResponse:
    council = _shaped_council(request, public_id)
    site = access.get_site_or_404(council, site_id)
    form = SectionForm(request.POST, site=site)
    if form.is_valid():
        try:
            services.add_section(site=site, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Added."))
    else:
        messages.error(request, _("Give it a name and a kind from the list."))
    return redirect("councils:chart", public_id=council.public_id, site_id=site.public_id)


@member_view(access.can_see_councils)
@require_POST
def committee_new(request: HttpRequest, public_id: str) -> HttpResponse:
    council = _shaped_council(request, public_id)
    form = CommitteeForm(request.POST)
    if form.is_valid():
        try:
            committee = services.create_committee(
                council=council, by=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("The committee is set up. Add its members."))
            return redirect(
                "councils:committee", public_id=council.public_id, committee_id=committee.public_id
            )
    else:
        messages.error(request, _("Give the committee a name."))
    return redirect("councils:detail", public_id=council.public_id)


@member_view(access.can_see_councils)
@require_GET
def committee_detail(request: HttpRequest, public_id: str, committee_id: str) -> HttpResponse:
    council = access.get_council_or_404(request.user, public_id)
    committee = access.get_committee_or_404(council, committee_id)
    can_shape = access.can_shape(request.user, council)
    page = Paginator(committee.members.all(), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "councils/committee_detail.html",
        {
            "council": council,
            "committee": committee,
            "page": page,
            "can_shape": can_shape,
            "member_form": CommitteeMemberForm(committee=committee) if can_shape else None,
        },
    )


@member_view(access.can_see_councils)
@require_POST
def committee_member_add(request: HttpRequest, public_id: str, committee_id: str) -> HttpResponse:
    council = _shaped_council(request, public_id)
    committee = access.get_committee_or_404(council, committee_id)
    form = CommitteeMemberForm(request.POST, committee=committee)
    if form.is_valid():
        services.add_to_committee(
            committee=committee, person=form.cleaned_data["person"], by=request.user
        )
        messages.success(request, _("Added to the committee."))
    else:
        messages.error(request, _("Choose a member of the council from the list."))
    return redirect("councils:committee", public_id=council.public_id, committee_id=committee_id)


@member_view(access.can_see_councils)
@require_POST
def committee_member_remove(
    request: HttpRequest, public_id: str, committee_id: str, person_id: str
) -> HttpResponse:
    council = _shaped_council(request, public_id)
    committee = access.get_committee_or_404(council, committee_id)
    person = get_or_404(committee.members.all(), public_id=person_id)
    services.remove_from_committee(committee=committee, person=person, by=request.user)
    messages.success(request, _("Removed from the committee."))
    return redirect("councils:committee", public_id=council.public_id, committee_id=committee_id)


# --- charting ------------------------------------------------------------------------------


@member_view(access.can_see_councils)
@require_GET
def site_chart(request: HttpRequest, public_id: str, site_id: str) -> HttpResponse:
    council = _shaped_council(request, public_id)
    site = access.get_site_or_404(council, site_id)
    chart = charting.site_chart(
        site,
        by=request.GET.get("by", "section"),
        page_number=request.GET.get("page"),
        labels=request.network.scale_labels(),
    )
    return render(
        request,
        "councils/site_chart.html",
        {
            "council": council,
            "site": site,
            "chart": chart,
            "page": chart.page,
            "query": urlencode({"by": chart.by}),
            "today": timezone.localdate(),
            "sections": Paginator(site.sections.all(), PAGE_SIZE).get_page(
                request.GET.get("sections")
            ),
            "section_form": SectionForm(site=site),
        },
    )


def _errors_onto(form, error: ValidationError) -> None:
    """A service's refusal, shown next to the fields it names."""
    for field, problems in error.message_dict.items():
        for problem in problems:
            form.add_error(field, problem)


def _membership_page(request, council, membership, *, status=200, **forms):
    scale = request.network.scale_labels()
    person = membership.person
    assessments = council.assessments.filter(person=person).select_related("assessed_by")
    talks = council.one_on_ones.filter(person=person).select_related("held_by")
    return render(
        request,
        "councils/membership.html",
        {
            "council": council,
            "membership": membership,
            "person": person,
            "labels": dict(enumerate(scale, 1)),
            "assessments": Paginator(assessments, 10).get_page(request.GET.get("assessments")),
            "talks": Paginator(talks, 10).get_page(request.GET.get("page")),
            "place_form": forms.get("place_form")
            or PlaceForm(
                council=council,
                initial={
                    "site": membership.site and membership.site.public_id,
                    "section": membership.section and membership.section.public_id,
                    "shift": membership.shift and membership.shift.public_id,
                },
            ),
            "assess_form": forms.get("assess_form") or AssessForm(scale=scale),
            "talk_form": forms.get("talk_form") or OneOnOneForm(scale=scale),
        },
        status=status,
    )


@member_view(access.can_see_councils)
@require_GET
def membership_detail(request: HttpRequest, public_id: str, person_id: str) -> HttpResponse:
    council = access.get_council_or_404(request.user, public_id)
    membership = access.get_charted_membership_or_404(request.user, council, person_id)
    return _membership_page(request, council, membership)


@member_view(access.can_see_councils)
@require_POST
def membership_place(request: HttpRequest, public_id: str, person_id: str) -> HttpResponse:
    council = access.get_council_or_404(request.user, public_id)
    membership = access.get_charted_membership_or_404(request.user, council, person_id)
    form = PlaceForm(request.POST, council=council)
    if form.is_valid():
        try:
            services.place_member(membership=membership, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            _errors_onto(form, error)
        else:
            messages.success(request, _("Saved."))
            return redirect("councils:membership", public_id=public_id, person_id=person_id)
    return _membership_page(request, council, membership, status=422, place_form=form)


@member_view(access.can_see_councils)
@require_POST
def membership_assess(request: HttpRequest, public_id: str, person_id: str) -> HttpResponse:
    council = access.get_council_or_404(request.user, public_id)
    membership = access.get_charted_membership_or_404(request.user, council, person_id)
    form = AssessForm(request.POST, scale=request.network.scale_labels())
    if form.is_valid():
        services.assess(membership=membership, level=form.cleaned_data["level"], by=request.user)
        messages.success(request, _("Assessment saved."))
        return redirect("councils:membership", public_id=public_id, person_id=person_id)
    return _membership_page(request, council, membership, status=422, assess_form=form)


@member_view(access.can_see_councils)
@require_POST
def one_on_one_log(request: HttpRequest, public_id: str, person_id: str) -> HttpResponse:
    council = access.get_council_or_404(request.user, public_id)
    membership = access.get_charted_membership_or_404(request.user, council, person_id)
    form = OneOnOneForm(request.POST, scale=request.network.scale_labels())
    if form.is_valid():
        try:
            services.log_one_on_one(membership=membership, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            _errors_onto(form, error)
        else:
            messages.success(request, _("One-on-one logged."))
            return redirect("councils:membership", public_id=public_id, person_id=person_id)
    return _membership_page(request, council, membership, status=422, talk_form=form)


@member_view(access.can_see_councils)
@require_POST
def follow_up_done(
    request: HttpRequest, public_id: str, person_id: str, talk_id: str
) -> HttpResponse:
    council = access.get_council_or_404(request.user, public_id)
    membership = access.get_charted_membership_or_404(request.user, council, person_id)
    talk = access.get_one_on_one_or_404(membership, talk_id)
    services.complete_follow_up(one_on_one=talk, by=request.user)
    messages.success(request, _("Follow-up done."))
    back = request.POST.get("next", "")
    if back and url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        return redirect(back)
    return redirect("councils:membership", public_id=public_id, person_id=person_id)
