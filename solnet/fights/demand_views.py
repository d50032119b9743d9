"""Pages of a fight's demand: its items, the deadline, the letter's versions and its PDF."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from solnet.core import audit
from solnet.core.access import get_or_404, member_view
from solnet.fights import access, letters, services
from solnet.fights.forms import DeadlineForm, DemandForm, LetterForm
from solnet.fights.models import Fight

LANGUAGES = dict(settings.LANGUAGES)
# Whole sentences, so that each language writes the name of the other as it should ("en
# inglés", lower case).
WRITE_IN = {
    "en": gettext_lazy("Write the letter in English"),
    "es": gettext_lazy("Write the letter in Spanish"),
}
# Said on the letter's page while demands sit in it in the language they were written in.
STILL_IN = {
    "en": gettext_lazy(
        "These demands are still in English, as they were written. Translate them in the "
        "letter before you print it, or whoever receives it reads English in the middle of "
        "the letter."
    ),
    "es": gettext_lazy(
        "These demands are still in Spanish, as they were written. Translate them in the "
        "letter before you print it, or whoever receives it reads Spanish in the middle of "
        "the letter."
    ),
}


def _page(request: HttpRequest, fight: Fight, **forms) -> dict:
    latest = {}
    for letter in fight.letters.all():  # ordered by language, newest version first
        latest.setdefault(letter.language, letter)
    return {
        "fight": fight,
        "demands": fight.demands.all(),
        "demand_form": forms.get("demand_form") or DemandForm(),
        "deadline_form": forms.get("deadline_form")
        or DeadlineForm(initial={"deadline": fight.deadline}),
        "latest": [(LANGUAGES.get(code, code), letter) for code, letter in latest.items()],
        "languages": [(code, WRITE_IN.get(code, code)) for code, _name in settings.LANGUAGES],
    }


@member_view()
@require_GET
def demands(request: HttpRequest, public_id: str) -> HttpResponse:
    fight = access.get_team_fight_or_404(request.user, public_id)
    return render(request, "fights/demands.html", _page(request, fight))


@member_view()
@require_POST
def demand_add(request: HttpRequest, public_id: str) -> HttpResponse:
    fight = access.get_team_fight_or_404(request.user, public_id)
    form = DemandForm(request.POST)
    if form.is_valid():
        try:
            services.add_demand(fight=fight, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The demand is added."))
            return redirect("fights:demands", public_id=fight.public_id)
    return render(
        request, "fights/demands.html", _page(request, fight, demand_form=form), status=422
    )


def _demand(request: HttpRequest, public_id: str, demand_id: str):
    fight = access.get_team_fight_or_404(request.user, public_id)
    return get_or_404(fight.demands.all(), public_id=demand_id)


@member_view()
@require_POST
def demand_met(request: HttpRequest, public_id: str, demand_id: str) -> HttpResponse:
    demand = _demand(request, public_id, demand_id)
    met_on = None if demand.met_on else timezone.localdate()
    services.settle_demand(demand=demand, met_on=met_on, by=request.user)
    return redirect("fights:demands", public_id=public_id)


@member_view()
@require_POST
def demand_remove(request: HttpRequest, public_id: str, demand_id: str) -> HttpResponse:
    demand = _demand(request, public_id, demand_id)
    services.remove_demand(demand=demand, by=request.user)
    messages.success(request, _("The demand is taken out."))
    return redirect("fights:demands", public_id=public_id)


@member_view()
@require_POST
def deadline(request: HttpRequest, public_id: str) -> HttpResponse:
    fight = access.get_team_fight_or_404(request.user, public_id)
    form = DeadlineForm(request.POST)
    if form.is_valid():
        services.set_deadline(fight=fight, deadline=form.cleaned_data["deadline"], by=request.user)
        messages.success(request, _("The deadline is saved."))
        return redirect("fights:demands", public_id=fight.public_id)
    return render(
        request, "fights/demands.html", _page(request, fight, deadline_form=form), status=422
    )


@member_view()
@require_http_methods(["GET", "POST"])
def letter(request: HttpRequest, public_id: str) -> HttpResponse:
    """Write the letter in one language: a draft from the template the first time, the latest
    version after that; saving makes a new version."""
    fight = access.get_team_fight_or_404(request.user, public_id)
    language = request.POST.get("language") or request.GET.get("language") or "en"
    if language not in LANGUAGES:
        raise Http404
    latest = fight.letters.filter(language=language).order_by("-version").first()
    form = LetterForm(
        request.POST or None,
        initial={"body": latest.body if latest else letters.draft(fight, language)},
    )
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.save_letter(
                fight=fight, language=language, body=form.cleaned_data["body"], by=request.user
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                _("Version %(version)d of the letter is saved.") % {"version": saved.version},
            )
            return redirect("fights:demands", public_id=fight.public_id)
    shown = form.data.get("body", "") if form.is_bound else form.initial["body"]
    untranslated = letters.still_as_written(fight, language, shown)
    return render(
        request,
        "fights/letter.html",
        {
            "fight": fight,
            "form": form,
            "language": language,
            "language_name": LANGUAGES[language],
            "versions": fight.letters.filter(language=language),
            "no_target": not fight.targets.exists(),
            "still_as_written": [
                (STILL_IN.get(code, STILL_IN["en"]), demands)
                for code, demands in untranslated.items()
            ],
        },
        status=422 if request.method == "POST" else 200,
    )


@member_view()
@require_GET
def letter_pdf(request: HttpRequest, public_id: str, letter_id: str) -> HttpResponse:
    fight = access.get_team_fight_or_404(request.user, public_id)
    version = get_or_404(fight.letters.all(), public_id=letter_id)
    document = letters.pdf(fight, version.body, version.language)
    audit.record("fight.letter_printed", actor=request.user, target=fight, letter=letter_id)
    response = HttpResponse(document, content_type="application/pdf")
    response["Content-Disposition"] = (
        f'attachment; filename="demand-letter-{version.language}-v{version.version}.pdf"'
    )
    return response
