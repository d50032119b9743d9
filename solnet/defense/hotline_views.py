"""The hotline's own pages: the dispatchers' weekly rota and its swaps, the hotline's settings
(the phone line, the public form, the legal contact, the period), its printed card, and the
public report form at its secret address."""

from __future__ import annotations

import hmac

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from solnet.core import audit, public_forms
from solnet.core.access import member_view
from solnet.core.forms import add_errors
from solnet.defense import (
    access,
    card,
    legal,
    period,
    reports,
    rights,
    rota,
)
from solnet.defense.forms import (
    CoverForm,
    HotlineForm,
    PublicReportForm,
    SlotForm,
)
from solnet.defense.models import (
    Hotline,
    ReportForm,
    Source,
    new_address,
)

# --- the rota ---------------------------------------------------------------------------------


@member_view(access.is_dispatcher)
@require_http_methods(["GET", "POST"])
def rota_page(request: HttpRequest) -> HttpResponse:
    """The week ahead and the weekly slots; a new slot is added here."""
    form = SlotForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            rota.save_slot(by=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, _("The shift is on the rota."))
            return redirect("defense:rota")
    context = {
        "form": form,
        "week": rota.week(),
        "slots": access.visible_slots(request.user).select_related("primary", "backup"),
    }
    status = 422 if request.method == "POST" else 200
    return render(request, "defense/rota.html", context, status=status)


@member_view(access.is_dispatcher)
@require_http_methods(["GET", "POST"])
def slot(request: HttpRequest, public_id: str) -> HttpResponse:
    """One weekly slot: change it, remove it, or arrange a swap for a day."""
    found = access.get_slot_or_404(request.user, public_id)
    initial = {
        "weekday": found.weekday,
        "starts": found.starts,
        "hours": found.hours,
        "primary": found.primary,
        "backup": found.backup,
    }
    form = SlotForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            rota.save_slot(by=request.user, slot=found, **form.cleaned_data)
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, _("The shift is changed."))
            return redirect("defense:rota")
    context = {"slot": found, "form": form, "cover_form": CoverForm()}
    status = 422 if request.method == "POST" else 200
    return render(request, "defense/slot.html", context, status=status)


@member_view(access.is_dispatcher)
@require_POST
def slot_remove(request: HttpRequest, public_id: str) -> HttpResponse:
    found = access.get_slot_or_404(request.user, public_id)
    rota.remove_slot(slot=found, by=request.user)
    messages.success(request, _("The shift is off the rota."))
    return redirect("defense:rota")


@member_view(access.is_dispatcher)
@require_POST
def slot_cover(request: HttpRequest, public_id: str) -> HttpResponse:
    found = access.get_slot_or_404(request.user, public_id)
    cover_form = CoverForm(request.POST)
    if cover_form.is_valid():
        try:
            rota.cover(slot=found, by=request.user, **cover_form.cleaned_data)
        except ValidationError as error:
            add_errors(cover_form, error)
        else:
            messages.success(request, _("The swap is on the rota."))
            return redirect("defense:rota")
    context = {"slot": found, "form": SlotForm(initial={}), "cover_form": cover_form}
    return render(request, "defense/slot.html", context, status=422)


# --- the hotline's settings and its public form -----------------------------------------------


def _ask_second_person(request: HttpRequest, form, current: Hotline) -> list[str]:
    """The period and the legal contact change only with a second dispatcher: each change
    given is asked for (the form's errors say why one is refused); returns what waits."""
    asked = []
    days = form.cleaned_data["report_days"]
    email = (form.cleaned_data["legal_contact"] or "").strip()
    try:
        if days is not None and days != current.report_days:
            period.request_change(days=days, by=request.user)
            asked.append(_("The new period waits for a second dispatcher's approval on Approvals."))
        if "legal_contact" in form.data and email != (current.legal_contact or ""):
            legal.request_contact_change(email=email, by=request.user)
            asked.append(
                _("The new legal contact waits for a second dispatcher's approval on Approvals.")
            )
    except ValidationError as error:
        add_errors(form, error)
    return asked


@member_view(access.is_dispatcher)
@require_http_methods(["GET", "POST"])
def hotline(request: HttpRequest) -> HttpResponse:
    """The phone line (its number and ring time), whether the public form is open, and its
    secret address."""
    current = Hotline.current()
    form = HotlineForm(
        request.POST if request.method == "POST" else None,
        initial={
            "public_form": current.public_form,
            "number": current.number,
            "ring_seconds": current.ring_seconds,
            "legal_contact": current.legal_contact,
            "report_days": current.report_days,
        },
    )
    asked = []
    if request.method == "POST" and form.is_valid():
        asked = _ask_second_person(request, form, current)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        with transaction.atomic():
            current = Hotline.objects.select_for_update().get(pk=current.pk)
            current.public_form = data["public_form"]
            current.number = data["number"] or ""
            current.ring_seconds = data["ring_seconds"]
            if data["new_address"]:
                current.address = new_address()
            current.save()
            audit.record(
                "defense.hotline_changed",
                actor=request.user,
                public_form=current.public_form,
                new_address=data["new_address"],
                phone_line=bool(current.number),
                ring_seconds=current.ring_seconds,
            )
        messages.success(request, _("The hotline's settings are saved."))
        for waiting in asked:
            messages.info(request, waiting)
        return redirect("defense:hotline")
    context = {
        "form": form,
        "hotline": current,
        "address": settings.BASE_URL + reverse("defense:public_report", args=[current.address]),
        "voice_url": settings.BASE_URL + reverse("defense:voice"),
        "text_url": settings.BASE_URL + reverse("defense:text"),
        "languages": rights.LANGUAGES,
    }
    status = 422 if request.method == "POST" else 200
    return render(request, "defense/hotline.html", context, status=status)


@member_view(access.is_dispatcher)
@require_GET
def hotline_card(request: HttpRequest) -> HttpResponse:
    """The printed card, as a page of cards to cut out (PDF), in the language asked."""
    current = Hotline.current()
    if not card.printable(current):
        raise Http404
    language = rights.language_of(request.GET.get("language"))
    audit.record(
        "defense.card_printed", actor=request.user, language=language, form=current.public_form
    )
    response = HttpResponse(card.card_pdf(current, language), content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(
        True, f"hotline-cards-{language}.pdf"
    )
    response["Cache-Control"] = "private, no-store"
    return response


def _public_hotline_or_404(address: str) -> Hotline:
    current = Hotline.current()
    if not current.public_form or not hmac.compare_digest(
        current.address.encode(), (address or "").encode()
    ):
        raise Http404
    return current


@never_cache
@require_http_methods(["GET", "POST"])
def public_report(request: HttpRequest, address: str) -> HttpResponse:
    """Anyone with the secret address sends a report; nobody signs in and nothing is shown
    back but thanks. The bot guard and the per-address limit are `core.public_forms`'."""
    _public_hotline_or_404(address)
    form = PublicReportForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        verdict = public_forms.screen(
            request, form, scope="defense_report", per_hour=request.network.public_forms_per_hour
        )
        if verdict is public_forms.Verdict.BOT:
            return render(request, "defense/public_thanks.html", {})
        status = verdict.value
        if verdict is public_forms.Verdict.ACCEPT:
            data = form.cleaned_data
            try:
                reports.file_report(
                    form=ReportForm.ALERTA,
                    source=Source.PUBLIC,
                    seen_at=data["seen_at"],
                    zone=data["zone"],
                    words=form.words,
                )
            except ValidationError as error:
                add_errors(form, error)
                status = 422
            else:
                return render(request, "defense/public_thanks.html", {})
    response = render(request, "defense/public_report.html", {"form": form}, status=status)
    # The secret address never leaves in a Referer header to another site ("no-referrer"
    # would also blank the form's own Origin, which the CSRF check needs).
    response.headers["Referrer-Policy"] = "same-origin"
    return response
