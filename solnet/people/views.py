"""Pages of the people app. Each view: access helper → form → service → response."""

from __future__ import annotations

import json
from urllib.parse import urlencode

from allauth.account.decorators import reauthentication_required
from django.contrib import messages
from django.contrib.auth import logout
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from solnet.core import public_forms
from solnet.core.access import get_or_404, member_view
from solnet.people import access, extensions, services
from solnet.people.forms import (
    AskForm,
    AvailabilityForm,
    BulkTagForm,
    DeleteOwnRecordForm,
    JoinRequestForm,
    OwnRecordForm,
    PeopleFilterForm,
    PersonForm,
    SaveFilterForm,
    SettleForm,
    SkillForm,
    TagForm,
)
from solnet.people.models import Tag, reliability

PAGE_SIZE = 50
COMMITMENTS_SHOWN = 20


def _filters(request: HttpRequest, data=None) -> PeopleFilterForm:
    return PeopleFilterForm(data, viewer=request.user)


@member_view(access.can_list_people)
@require_GET
def person_list(request: HttpRequest) -> HttpResponse:
    query = request.GET.copy()
    query.pop("page", None)
    filters = _filters(request, query or None)
    people = access.visible_people(request.user)
    if filters.is_valid():
        people = people.matching(**filters.cleaned_data)
    page = Paginator(people.with_lists().order_by("display_name", "pk"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "people/person_list.html",
        {
            "filters": filters,
            "page": page,
            "query": query.urlencode(),
            "saved_filters": [
                (saved, urlencode(saved.query)) for saved in access.saved_filters_of(request.user)
            ],
            "tags": Tag.objects.all(),
            "tag_form": TagForm(),
            "save_form": SaveFilterForm(),
        },
    )


def _back_to_list(query: str) -> HttpResponse:
    # Only a query string we build ourselves goes back into the URL, re-validated on use.
    return redirect(f"{reverse('people:list')}?{query}" if query else reverse("people:list"))


@member_view(access.can_record_people)
@require_POST
def tag_new(request: HttpRequest) -> HttpResponse:
    form = TagForm(request.POST)
    if form.is_valid():
        tag = services.create_tag(name=form.cleaned_data["name"], by=request.user)
        messages.success(request, _("The tag “%(tag)s” is ready.") % {"tag": tag})
    else:
        messages.error(request, _("A tag needs a name of up to 40 characters."))
    return _back_to_list(_safe_query(request))


@member_view(access.can_record_people)
@require_POST
def bulk_tag(request: HttpRequest) -> HttpResponse:
    form = BulkTagForm(request.POST, people=access.visible_people(request.user))
    if form.is_valid():
        count = services.tag_people(
            people=list(form.cleaned_data["people"]), tag=form.cleaned_data["tag"], by=request.user
        )
        messages.success(
            request,
            ngettext("%(count)d person newly tagged.", "%(count)d people newly tagged.", count)
            % {"count": count},
        )
    else:
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
    return _back_to_list(_safe_query(request))


@member_view(access.can_list_people)
@require_POST
def filter_save(request: HttpRequest) -> HttpResponse:
    form = SaveFilterForm(request.POST)
    filters = _filters(request, QueryDict(request.POST.get("query", "")))
    if not filters.is_valid():
        messages.error(request, _("This filter has mistakes: correct it before saving it."))
        return redirect("people:list")
    if form.is_valid():
        services.save_filter(
            owner=request.user, name=form.cleaned_data["name"], query=filters.as_query()
        )
        messages.success(request, _("Filter saved."))
    else:
        messages.error(request, _("Give the filter a name of up to 60 characters."))
    return _back_to_list(urlencode(filters.as_query()))


@member_view(access.can_list_people)
@require_POST
def filter_delete(request: HttpRequest, public_id: str) -> HttpResponse:
    saved = get_or_404(access.saved_filters_of(request.user), public_id=public_id)
    services.delete_filter(saved=saved, by=request.user)
    messages.success(request, _("Filter deleted."))
    return redirect("people:list")


def _safe_query(request: HttpRequest) -> str:
    """The list's filter, carried through a form post, cleaned to the known fields."""
    raw = QueryDict(request.POST.get("query", ""))
    filters = _filters(request, raw)
    return urlencode(filters.as_query()) if filters.is_valid() else ""


def _form_initial(person) -> dict:
    channels = {c.kind: c for c in person.channels.all()}
    return {
        "display_name": person.display_name,
        "tier": person.tier,
        "languages": person.languages,
        "interpreter_needed": person.interpreter_needed,
        "email": channels["email"].value if "email" in channels else "",
        "phone": channels["call"].value if "call" in channels else "",
        "consent": any(c.consent_at for c in channels.values()),
        "notice_needed": person.notice_needed,
        "transport": person.transport,
        "tags": list(person.tags.all()),
        "notes": person.notes or "",
    }


@member_view(access.can_record_people)
@require_http_methods(["GET", "POST"])
def person_new(request: HttpRequest) -> HttpResponse:
    form = PersonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            person = services.record_person(by=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("%(name)s is recorded.") % {"name": person})
            return redirect("people:detail", public_id=person.public_id)
    return render(
        request,
        "people/person_form.html",
        {"form": form, "person": None},
        status=422 if request.method == "POST" else 200,
    )


@member_view(access.can_list_people)
@require_GET
def person_detail(request: HttpRequest, public_id: str) -> HttpResponse:
    person = access.get_person_or_404(request.user, public_id)
    commitments = person.commitments.select_related("asked_by")[:COMMITMENTS_SHOWN]
    return render(
        request,
        "people/person_detail.html",
        {
            "person": person,
            "channels": access.shown_channels(request.user, person),
            "commitments": [
                (
                    c,
                    SettleForm(
                        initial={"answer": c.answer, "outcome": c.outcome}, prefix=c.public_id
                    ),
                )
                for c in commitments
            ],
            "ask_form": AskForm(),
            "skill_form": SkillForm(prefix="skill"),
            "availability_form": AvailabilityForm(prefix="available"),
            "reliability": reliability(person),
            "panels": extensions.panels_for(request.user, person),
        },
    )


@member_view(access.can_record_people)
@require_POST
def ask_log(request: HttpRequest, public_id: str) -> HttpResponse:
    person = access.get_person_or_404(request.user, public_id)
    form = AskForm(request.POST)
    if form.is_valid():
        services.log_ask(person=person, by=request.user, **form.cleaned_data)
        messages.success(request, _("The ask is noted."))
    else:
        messages.error(request, _("Write what they were asked (up to 200 characters)."))
    return redirect("people:detail", public_id=person.public_id)


@member_view(access.can_record_people)
@require_POST
def ask_settle(request: HttpRequest, public_id: str, ask_id: str) -> HttpResponse:
    person = access.get_person_or_404(request.user, public_id)
    commitment = get_or_404(person.commitments.all(), public_id=ask_id)
    form = SettleForm(request.POST, prefix=commitment.public_id)
    if form.is_valid():
        try:
            services.settle_commitment(commitment=commitment, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Saved."))
    else:
        messages.error(request, _("Choose an answer and an outcome from the lists."))
    return redirect("people:detail", public_id=person.public_id)


@member_view(access.can_record_people)
@require_http_methods(["GET", "POST"])
def person_edit(request: HttpRequest, public_id: str) -> HttpResponse:
    person = access.get_person_or_404(request.user, public_id)
    form = PersonForm(request.POST or None, initial=_form_initial(person))
    if request.method == "POST" and form.is_valid():
        try:
            services.update_person(person=person, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Saved."))
            return redirect("people:detail", public_id=person.public_id)
    return render(
        request,
        "people/person_form.html",
        {"form": form, "person": person},
        status=422 if request.method == "POST" else 200,
    )


# --- a person's own record ----------------------------------------------------------------


@member_view()
@require_http_methods(["GET", "POST"])
def own_record(request: HttpRequest) -> HttpResponse:
    person = services.own_record(member=request.user)
    form = OwnRecordForm(
        request.POST or None,
        initial={
            "display_name": person.display_name,
            "languages": person.languages,
            "interpreter_needed": person.interpreter_needed,
            "notice_needed": person.notice_needed,
            "transport": person.transport,
        },
    )
    if request.method == "POST" and form.is_valid():
        services.update_own_record(member=request.user, **form.cleaned_data)
        messages.success(request, _("Your record is saved."))
        return redirect("people:me")
    return render(
        request,
        "people/own_record.html",
        {"form": form, "person": person, "channels": person.channels.all()},
        status=422 if request.method == "POST" else 200,
    )


@member_view()
@require_GET
@reauthentication_required(allow_get=False)
def own_record_download(request: HttpRequest) -> HttpResponse:
    """Everything stored about me, as a file I keep."""
    data = services.export_own_record(member=request.user)
    response = HttpResponse(
        json.dumps(data, indent=2, ensure_ascii=False), content_type="application/json"
    )
    stamp = timezone.localdate().isoformat()
    response["Content-Disposition"] = f'attachment; filename="my-solnet-record-{stamp}.json"'
    return response


@member_view()
@require_http_methods(["GET", "POST"])
@reauthentication_required(allow_get=True)
def own_record_delete(request: HttpRequest) -> HttpResponse:
    form = DeleteOwnRecordForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        member = request.user
        logout(request)
        services.erase_own_record(member=member)
        messages.success(request, _("Your record and your account are deleted."))
        return redirect("home")
    return render(
        request,
        "people/own_record_delete.html",
        {"form": form},
        status=422 if request.method == "POST" else 200,
    )


# --- the public "join the network" page ----------------------------------------------------

JOIN_US_SALT = public_forms.SALT
JOIN_US_PER_HOUR = public_forms.PER_HOUR


@require_http_methods(["GET", "POST"])
def join_us(request: HttpRequest) -> HttpResponse:
    """Public, no JavaScript needed; spam held back by `solnet.core.public_forms`."""
    form = JoinRequestForm(request.POST or None, initial={"language": translation.get_language()})
    if request.method != "POST":
        return render(request, "people/join_us.html", {"form": form})
    verdict = public_forms.screen(
        request, form, scope="join-us", per_hour=request.network.public_forms_per_hour
    )
    if verdict is public_forms.Verdict.ACCEPT:
        services.submit_join_request(
            display_name=form.cleaned_data["display_name"],
            kind=form.cleaned_data["kind"],
            value=form.cleaned_data["value"],
            language=form.cleaned_data["language"],
            message=form.cleaned_data["message"],
        )
    if verdict in (public_forms.Verdict.ACCEPT, public_forms.Verdict.BOT):
        return redirect("join_us_thanks")
    return render(request, "people/join_us.html", {"form": form}, status=verdict.value)


@require_GET
def join_us_thanks(request: HttpRequest) -> HttpResponse:
    return render(request, "people/join_us_thanks.html")


@member_view(access.can_record_people)
@require_GET
def request_list(request: HttpRequest) -> HttpResponse:
    requests = access.visible_join_requests(request.user)
    page = Paginator(requests, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "people/request_list.html", {"page": page})


@member_view(access.can_record_people)
@require_POST
def request_accept(request: HttpRequest, public_id: str) -> HttpResponse:
    join_request = access.get_join_request_or_404(request.user, public_id)
    person = services.accept_join_request(join_request=join_request, by=request.user)
    messages.success(request, _("%(name)s is recorded as a list supporter.") % {"name": person})
    return redirect("people:requests")


@member_view(access.can_record_people)
@require_POST
def request_decline(request: HttpRequest, public_id: str) -> HttpResponse:
    join_request = access.get_join_request_or_404(request.user, public_id)
    services.decline_join_request(join_request=join_request, by=request.user)
    messages.success(request, _("The request was declined and deleted."))
    return redirect("people:requests")


# --- skills and availability ---------------------------------------------------------------


@member_view(access.can_record_people)
@require_POST
def skill_add(request: HttpRequest, public_id: str) -> HttpResponse:
    person = access.get_person_or_404(request.user, public_id)
    form = SkillForm(request.POST, prefix="skill")
    if form.is_valid():
        services.add_skill(person=person, by=request.user, **form.cleaned_data)
        messages.success(request, _("Skill added."))
    else:
        messages.error(request, _("Choose a skill from the list and a valid date."))
    return redirect("people:detail", public_id=person.public_id)


@member_view(access.can_record_people)
@require_POST
def skill_remove(request: HttpRequest, public_id: str, skill: str) -> HttpResponse:
    person = access.get_person_or_404(request.user, public_id)
    held = get_or_404(person.skills.all(), skill=skill)
    services.remove_skill(held=held, by=request.user)
    messages.success(request, _("Skill removed."))
    return redirect("people:detail", public_id=person.public_id)


@member_view(access.can_record_people)
@require_POST
def availability_add(request: HttpRequest, public_id: str) -> HttpResponse:
    person = access.get_person_or_404(request.user, public_id)
    form = AvailabilityForm(request.POST, prefix="available")
    if form.is_valid():
        services.add_availability(person=person, by=request.user, **form.cleaned_data)
        messages.success(request, _("Availability added."))
    else:
        messages.error(request, _("Choose a day and a time that ends after it starts."))
    return redirect("people:detail", public_id=person.public_id)


@member_view(access.can_record_people)
@require_POST
def availability_remove(request: HttpRequest, public_id: str, window_id: int) -> HttpResponse:
    person = access.get_person_or_404(request.user, public_id)
    window = get_or_404(person.availability.all(), pk=window_id)
    services.remove_availability(window=window, by=request.user)
    messages.success(request, _("Availability removed."))
    return redirect("people:detail", public_id=person.public_id)


# --- consent and opt-out, one channel at a time ----------------------------------------------


def _reachable(request: HttpRequest) -> bool | None:
    return {"yes": True, "no": False}.get(request.POST.get("reachable", ""))


@member_view()
@require_POST
def own_channel(request: HttpRequest, channel_id: int) -> HttpResponse:
    """On their own record: "stop contacting me this way" or "you may again"."""
    person = services.own_record(member=request.user)
    channel = get_or_404(person.channels.all(), pk=channel_id)
    reachable = _reachable(request)
    if reachable is None:
        messages.error(request, _("Choose whether we may reach you this way."))
    else:
        services.set_own_channel(member=request.user, channel=channel, reachable=reachable)
        messages.success(
            request,
            _("We will reach you this way.")
            if reachable
            else _("Nobody will reach you this way any more."),
        )
    return redirect("people:me")


@member_view(access.can_record_people)
@require_POST
def channel_consent(request: HttpRequest, public_id: str, channel_id: int) -> HttpResponse:
    person = access.get_person_or_404(request.user, public_id)
    channel = get_or_404(person.channels.all(), pk=channel_id)
    reachable = _reachable(request)
    if reachable is None:
        messages.error(request, _("Choose whether they may be reached this way."))
    else:
        services.set_channel_consent(channel=channel, reachable=reachable, by=request.user)
        messages.success(request, _("Saved."))
    return redirect("people:detail", public_id=person.public_id)
