"""Solidarity requests between allies: asking them for turnout, the inbox of their requests,
answering, reporting turnout as counts, and the balance of solidarity."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from solnet.confederation import access, callouts
from solnet.confederation.models import (
    Answer,
    IncomingRequest,
    RequestState,
    Risk,
    SolidarityRequest,
)
from solnet.core.access import member_view
from solnet.core.forms import DateTimeInput, add_errors
from solnet.mobilize import access as mobilize_access
from solnet.mobilize.models import Action

PAGE_SIZE = 25


def _actions_for(member) -> list[tuple[str, str]]:
    upcoming = (
        mobilize_access.visible_actions(member)
        .filter(fight__isnull=False, starts_at__gt=timezone.now(), cancelled_at__isnull=True)
        .select_related("fight")
        .order_by("starts_at")[:100]
    )
    return [
        (
            action.public_id,
            f"{action.title} · {timezone.localtime(action.starts_at):%Y-%m-%d %H:%M}",
        )
        for action in upcoming
        if mobilize_access.can_run(member, action)
    ]


class CalloutForm(forms.Form):
    action = forms.ChoiceField(label=gettext_lazy("Action"), choices=[])
    target = forms.CharField(
        label=gettext_lazy("Target"),
        max_length=200,
        help_text=gettext_lazy("Whom the action is against: the boss, the landlord, the company."),
    )
    ask = forms.CharField(
        label=gettext_lazy("The ask"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=gettext_lazy("What you ask of the allies: how many people, to do what."),
    )
    place = forms.CharField(label=gettext_lazy("Place"), max_length=200)
    starts_at = forms.DateTimeField(label=gettext_lazy("Starts"), widget=DateTimeInput())
    ends_at = forms.DateTimeField(label=gettext_lazy("Ends"), widget=DateTimeInput())
    risk = forms.ChoiceField(label=gettext_lazy("Risk"), choices=Risk.choices)
    language = forms.ChoiceField(label=gettext_lazy("Written in"), choices=settings.LANGUAGES)
    share_public_page = forms.BooleanField(
        label=gettext_lazy("Let the allies see the action's public page"),
        required=False,
        help_text=gettext_lazy("Otherwise they see only what this request says."),
    )

    def __init__(self, *args, member, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["action"].choices = _actions_for(member)


class ChangeForm(forms.Form):
    place = forms.CharField(label=gettext_lazy("Place"), max_length=200)
    starts_at = forms.DateTimeField(label=gettext_lazy("Starts"), widget=DateTimeInput())
    ends_at = forms.DateTimeField(label=gettext_lazy("Ends"), widget=DateTimeInput())


class DeclineForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Why not (optional)"),
        max_length=300,
        required=False,
        help_text=gettext_lazy("The other network sees it."),
    )


class TurnoutForm(forms.Form):
    committed = forms.IntegerField(label=gettext_lazy("Coming"), min_value=0, max_value=100_000)
    came = forms.IntegerField(label=gettext_lazy("Came"), min_value=0, max_value=100_000)


@member_view(access.can_manage_peers)
@require_http_methods(["GET", "POST"])
def callout_new(request: HttpRequest) -> HttpResponse:
    initial = {"language": request.LANGUAGE_CODE}
    chosen = request.GET.get("action")
    if chosen:
        action = Action.objects.filter(public_id=chosen).select_related("fight").first()
        if action is not None and mobilize_access.can_run(request.user, action):
            initial.update(
                action=action.public_id,
                place=action.place,
                starts_at=timezone.localtime(action.starts_at),
                ends_at=timezone.localtime(action.ends_at),
            )
            target = action.fight.targets.first() if action.fight else None
            if target is not None:
                initial["target"] = str(target)
    form = CalloutForm(request.POST or None, initial=initial, member=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        action = mobilize_access.get_action_or_404(request.user, data.pop("action"))
        try:
            sent = callouts.send_request(action=action, by=request.user, **data)
        except ValidationError as error:
            add_errors(form, error)
        else:
            count = sent.allies.count()
            messages.success(
                request,
                ngettext(
                    "The request went to %(count)s allied network.",
                    "The request went to %(count)s allied networks.",
                    count,
                )
                % {"count": count},
            )
            return redirect("confederation:request", sent.public_id)
    return render(
        request,
        "confederation/callout_new.html",
        {"form": form, "allies": callouts.allies()},
        status=422 if form.errors else 200,
    )


@member_view(access.can_manage_peers)
@require_GET
def requests(request: HttpRequest) -> HttpResponse:
    """The inbox of allies' requests (waiting ones first) and the requests this network sent."""
    incoming = IncomingRequest.objects.select_related("peer").order_by("-answer", "-received_at")
    waiting = IncomingRequest.objects.filter(answer=Answer.WAITING, stood_down_at__isnull=True)
    context = {
        "incoming": Paginator(incoming, PAGE_SIZE).get_page(request.GET.get("page")),
        "waiting": waiting.count(),
        "sent": Paginator(SolidarityRequest.objects.all(), PAGE_SIZE).get_page(
            request.GET.get("sent")
        ),
    }
    return render(request, "confederation/requests.html", context)


@member_view(access.can_manage_peers)
@require_GET
def request_page(request: HttpRequest, public_id: str) -> HttpResponse:
    sent = access.get_request_or_404(request.user, public_id)
    context = {
        "sent": sent,
        "rows": sent.allies.select_related("peer"),
        "totals": callouts.totals(sent),
        "open": sent.state == RequestState.OPEN,
        "change_form": ChangeForm(
            initial={
                "place": sent.place,
                "starts_at": timezone.localtime(sent.starts_at),
                "ends_at": timezone.localtime(sent.ends_at),
            }
        ),
    }
    return render(request, "confederation/request.html", context)


@member_view(access.can_manage_peers)
@require_POST
def request_change(request: HttpRequest, public_id: str) -> HttpResponse:
    sent = access.get_request_or_404(request.user, public_id)
    form = ChangeForm(request.POST)
    if form.is_valid():
        try:
            callouts.change_time(request=sent, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Every ally that has not declined is told."))
    else:
        messages.error(request, _("Give the place and both times."))
    return redirect("confederation:request", sent.public_id)


@member_view(access.can_manage_peers)
@require_POST
def request_stand_down(request: HttpRequest, public_id: str) -> HttpResponse:
    sent = access.get_request_or_404(request.user, public_id)
    if sent.state == RequestState.OPEN:
        callouts.stand_down(request=sent, by=request.user)
        messages.success(request, _("Stood down: every ally that has not declined is told."))
    return redirect("confederation:request", sent.public_id)


@member_view(access.can_manage_peers)
@require_GET
def incoming_page(request: HttpRequest, public_id: str) -> HttpResponse:
    found = access.get_incoming_or_404(request.user, public_id)
    committed, came = callouts.local_turnout(found)
    context = {
        "incoming": found,
        "decline_form": DeclineForm(),
        "turnout_form": TurnoutForm(
            initial={
                "committed": found.committed if found.reported_at else committed,
                "came": found.came if found.reported_at else came,
            }
        ),
        "local": {"committed": committed, "came": came},
        "waiting": found.answer == Answer.WAITING and found.stood_down_at is None,
    }
    return render(request, "confederation/incoming.html", context)


def _answer(request: HttpRequest, public_id: str, do) -> HttpResponse:
    found = access.get_incoming_or_404(request.user, public_id)
    try:
        do(found)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("confederation:incoming", found.public_id)


@member_view(access.can_manage_peers)
@require_POST
def incoming_accept(request: HttpRequest, public_id: str) -> HttpResponse:
    def accept(found):
        callouts.accept(incoming=found, by=request.user)
        messages.success(
            request,
            _("Accepted: the action is on your calendar. Ask your own members to it from there."),
        )

    return _answer(request, public_id, accept)


@member_view(access.can_manage_peers)
@require_POST
def incoming_decline(request: HttpRequest, public_id: str) -> HttpResponse:
    form = DeclineForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""

    def decline(found):
        callouts.decline(incoming=found, by=request.user, reason=reason)
        messages.success(request, _("Declined; the other network is told."))

    return _answer(request, public_id, decline)


@member_view(access.can_manage_peers)
@require_POST
def incoming_turnout(request: HttpRequest, public_id: str) -> HttpResponse:
    form = TurnoutForm(request.POST)
    if not form.is_valid():
        found = access.get_incoming_or_404(request.user, public_id)
        messages.error(request, _("Give numbers of people between 0 and 100,000."))
        return redirect("confederation:incoming", found.public_id)

    def report(found):
        callouts.report_turnout(incoming=found, by=request.user, **form.cleaned_data)
        messages.success(request, _("The counts are sent: numbers only, never names."))

    return _answer(request, public_id, report)


@member_view(access.can_see_peers)
@require_GET
def balance(request: HttpRequest) -> HttpResponse:
    rows = Paginator(callouts.balance(), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "confederation/balance.html", {"page": rows})
