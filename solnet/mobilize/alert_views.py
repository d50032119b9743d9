"""Pages of rapid-response alerts: the dispatcher writes one and watches the answers come in,
a verifier confirms it, responders answer with one tap; and the zones responders cover."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from solnet.core.access import get_or_404, member_view
from solnet.members.access import is_organizer
from solnet.mobilize import access, alerts, extensions, forms, links
from solnet.mobilize.models import AlertResponse, AlertStatus, Delivery, Zone
from solnet.mobilize.views import _matching, add_errors
from solnet.people.models import Person

PAGE_SIZE = 30


def _can_see_alerts(member) -> bool:
    return access.can_dispatch(member) or access.can_verify(member)


@require_http_methods(["GET", "POST"])
@member_view(_can_see_alerts)
def alert_list(request: HttpRequest) -> HttpResponse:
    form = forms.AlertForm(request.POST or None)
    if request.method == "POST":
        if not access.can_dispatch(request.user):
            raise Http404
        if form.is_valid():
            data = form.cleaned_data
            try:
                alert = alerts.create_alert(
                    by=request.user,
                    message=data["message"],
                    skills=data["skills"],
                    zones=list(data["zones"]),
                    needs_verification=data["needs_verification"],
                )
            except ValidationError as error:
                add_errors(form, error)
            else:
                if alert.status == AlertStatus.VERIFYING:
                    messages.success(request, _("Waiting for a verifier before it goes out."))
                else:
                    messages.success(request, _("The alert is going out."))
                return redirect("mobilize:alert", alert.public_id)
    page = Paginator(access.visible_alerts(request.user), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "mobilize/alerts.html",
        {"form": form, "page": page, "dispatches": access.can_dispatch(request.user)},
        status=422 if request.method == "POST" else 200,
    )


def _own_person(member) -> Person | None:
    return Person.objects.filter(member=member).first()


@require_GET
@member_view(access.can_see_actions)
def alert_detail(request: HttpRequest, public_id: str) -> HttpResponse:
    alert = access.get_alert_or_404(request.user, public_id)
    dispatches = access.can_dispatch(request.user)
    person = _own_person(request.user)
    context = {
        "alert": alert,
        "dispatches": dispatches,
        "verifies": access.can_verify(request.user)
        and alert.status == AlertStatus.VERIFYING
        and alert.created_by_id != request.user.pk,
        "counts": alerts.counts(alert),
        "own": AlertResponse.objects.filter(alert=alert, person=person).first() if person else None,
        "sends": list(alert.sends.all()) if dispatches else [],
        "alerted": person is not None
        and Delivery.objects.filter(send__alert=alert, person=person).exists(),
        "panels": extensions.alert_panels(alert),
    }
    if dispatches:
        context["responses"] = Paginator(
            alert.responses.select_related("person").order_by("answer", "-answered_at"), 50
        ).get_page(request.GET.get("page"))
    return render(request, "mobilize/alert.html", context)


@require_GET
@member_view(_can_see_alerts)
def alert_counts(request: HttpRequest, public_id: str) -> HttpResponse:
    alert = access.get_alert_or_404(request.user, public_id)
    template = "mobilize/_alert_counts.html" if request.htmx else "mobilize/alert_counts.html"
    return render(request, template, {"alert": alert, "counts": alerts.counts(alert)})


@require_POST
@member_view(access.can_verify)
def alert_verify(request: HttpRequest, public_id: str) -> HttpResponse:
    alert = access.get_alert_or_404(request.user, public_id)
    form = forms.VerifyForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Say whether it is real."))
    else:
        try:
            alerts.verify_alert(
                alert=alert, by=request.user, confirmed=form.cleaned_data["confirmed"]
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
    return redirect("mobilize:alert", alert.public_id)


@require_POST
@member_view(access.can_dispatch)
def alert_close(request: HttpRequest, public_id: str) -> HttpResponse:
    alert = access.get_alert_or_404(request.user, public_id)
    alerts.close_alert(alert=alert, by=request.user)
    return redirect("mobilize:alert", alert.public_id)


@require_POST
@member_view(access.can_see_actions)
def alert_respond(request: HttpRequest, public_id: str) -> HttpResponse:
    """A responder signed in answers from the alert's page."""
    alert = access.get_alert_or_404(request.user, public_id)
    person = _own_person(request.user)
    delivery = Delivery.objects.filter(send__alert=alert, person=person).first()
    if person is None or delivery is None:
        raise Http404
    form = forms.AlertAnswerForm(request.POST)
    if form.is_valid():
        try:
            alerts.respond(
                alert=alert, person=person, answer=form.cleaned_data["answer"], delivery=delivery
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Thank you: the dispatcher sees your answer."))
    return redirect("mobilize:alert", alert.public_id)


@require_http_methods(["GET", "POST"])
def alert_answer(request: HttpRequest, token: str) -> HttpResponse:
    """The one-tap link in the alert message, without signing in: a form, so that a link
    scanner opening it answers nothing."""
    delivery = links.delivery_of_link(token)
    if delivery is None:
        raise Http404
    alert = delivery.send.alert
    error = None
    if request.method == "POST":
        form = forms.AlertAnswerForm(request.POST)
        if form.is_valid():
            try:
                alerts.respond(
                    alert=alert,
                    person=delivery.person,
                    answer=form.cleaned_data["answer"],
                    delivery=delivery,
                )
            except ValidationError as exc:
                error = " ".join(exc.messages)
            else:
                return render(
                    request,
                    "mobilize/alert_answered.html",
                    {
                        "alert": alert,
                        "answer": form.cleaned_data["answer"],
                        "panels": extensions.alert_panels(alert),
                    },
                )
        else:
            error = _("Answer “I'm coming” or “I can't”.")
    return render(
        request,
        "mobilize/alert_answer.html",
        {"alert": alert, "error": error, "panels": extensions.alert_panels(alert)},
        status=422 if error else 200,
    )


# --- zones ---------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@member_view(is_organizer)
def zones(request: HttpRequest) -> HttpResponse:
    form = forms.ZoneForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        Zone.objects.create(name=form.cleaned_data["name"])
        messages.success(request, _("Zone added."))
        return redirect("mobilize:zones")
    page = Paginator(Zone.objects.all(), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "mobilize/zones.html",
        {"form": form, "page": page},
        status=422 if request.method == "POST" else 200,
    )


@require_http_methods(["GET", "POST"])
@member_view(is_organizer)
def zone_detail(request: HttpRequest, pk: int) -> HttpResponse:
    zone = get_or_404(Zone.objects.all(), pk=pk)
    form = forms.ZonePeopleForm(request.POST or None, viewer=request.user)
    if request.method == "POST":
        if request.POST.get("remove"):
            person = get_or_404(Person.objects.all(), public_id=request.POST["remove"])
            zone.people.remove(person)
            return redirect("mobilize:zone", zone.pk)
        if form.is_valid():
            people = _matching(request, form)
            zone.people.add(*people.values_list("pk", flat=True)[:5000])
            messages.success(request, _("Added to the zone."))
            return redirect("mobilize:zone", zone.pk)
    page = Paginator(zone.people.order_by("display_name", "pk"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "mobilize/zone.html",
        {"zone": zone, "form": form, "page": page},
        status=422 if request.method == "POST" else 200,
    )
