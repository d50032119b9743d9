"""Know-your-rights cards: read and printed by anyone, written by dispatchers and the LO
coordinator."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from solnet.core.access import get_or_404, member_view
from solnet.core.forms import add_errors
from solnet.defense import access, rights
from solnet.defense.models import RightsCard


class RightsCardForm(forms.ModelForm):
    class Meta:
        model = RightsCard
        fields = ["language", "title", "body", "position"]
        widgets = {"body": forms.Textarea(attrs={"rows": 6})}
        labels = {"position": gettext_lazy("Order")}


@require_GET
def rights_page(request: HttpRequest) -> HttpResponse:
    """Public: the cards of the language asked (or the page's)."""
    language = rights.language_of(request.GET.get("language"))
    context = {
        "cards": rights.cards(language),
        "language": language,
        "languages": rights.LANGUAGES,
        "edits": request.user.is_authenticated and access.reads_all_field_notes(request.user),
    }
    return render(request, "defense/rights.html", context)


@require_GET
def rights_pdf(request: HttpRequest) -> HttpResponse:
    language = rights.language_of(request.GET.get("language"))
    response = HttpResponse(rights.pdf(language), content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(
        False, f"know-your-rights-{language}.pdf"
    )
    return response


def _save(request: HttpRequest, form: RightsCardForm, card: RightsCard | None) -> bool:
    if not form.is_valid():
        return False
    try:
        rights.save_card(by=request.user, card=card, **form.cleaned_data)
    except ValidationError as error:
        add_errors(form, error)
        return False
    messages.success(request, _("The card is saved."))
    return True


@member_view(access.reads_all_field_notes)
@require_http_methods(["GET", "POST"])
def rights_edit(request: HttpRequest) -> HttpResponse:
    """Every card, and a form for a new one."""
    form = RightsCardForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and _save(request, form, None):
        return redirect("defense:rights_edit")
    context = {"cards": RightsCard.objects.all(), "form": form}
    return render(request, "defense/rights_edit.html", context, status=422 if form.errors else 200)


@member_view(access.reads_all_field_notes)
@require_http_methods(["GET", "POST"])
def rights_card(request: HttpRequest, public_id: str) -> HttpResponse:
    card = get_or_404(RightsCard.objects.all(), public_id=public_id)
    form = RightsCardForm(request.POST if request.method == "POST" else None, instance=card)
    if request.method == "POST" and _save(request, form, card):
        return redirect("defense:rights_edit")
    context = {"card": card, "form": form}
    return render(request, "defense/rights_card.html", context, status=422 if form.errors else 200)


@member_view(access.reads_all_field_notes)
@require_POST
def rights_delete(request: HttpRequest, public_id: str) -> HttpResponse:
    card = get_or_404(RightsCard.objects.all(), public_id=public_id)
    rights.delete_card(card=card, by=request.user)
    messages.success(request, _("The card is deleted."))
    return redirect("defense:rights_edit")
