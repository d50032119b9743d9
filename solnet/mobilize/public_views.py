"""Pages reached without signing in: an action's public page (anyone may answer with a name
and one way to reach them) and a personal answer link from a message. Both stand on an
unguessable secret in the address; a closed page, a revoked or expired link and a made-up
one all answer the same 404."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import translation
from django.views.decorators.http import require_http_methods

from solnet.core import public_forms
from solnet.mobilize import extensions, forms, links, services
from solnet.mobilize.models import Action


def _public_action(token: str) -> Action:
    if not token or len(token) > 64:
        raise Http404
    action = Action.objects.filter(public_token=token, cancelled_at__isnull=True).first()
    if action is None or action.over:
        raise Http404
    return action


@require_http_methods(["GET", "POST"])
def public_page(request: HttpRequest, token: str) -> HttpResponse:
    action = _public_action(token)
    form = forms.PublicRsvpForm(request.POST or None)
    context = {
        "action": action,
        "form": form,
        "panels": extensions.panels_for(None, action, public=True),
    }
    if request.method != "POST":
        return render(request, "mobilize/public.html", context)
    verdict = public_forms.screen(request, form, scope="action-rsvp", per_hour=10)
    if verdict is public_forms.Verdict.ACCEPT:
        data = form.cleaned_data
        try:
            services.public_rsvp(
                action=action,
                name=data["name"],
                kind=data["kind"],
                value=data["value"],
                answer=data["answer"],
                language=translation.get_language() or "",
            )
        except ValidationError as error:
            form.add_error(None, error)
            return render(request, "mobilize/public.html", context, status=422)
    if verdict in (public_forms.Verdict.ACCEPT, public_forms.Verdict.BOT):
        return render(request, "mobilize/public_thanks.html", context)
    return render(request, "mobilize/public.html", context, status=verdict.value)


@require_http_methods(["GET", "POST"])
def rsvp(request: HttpRequest, token: str) -> HttpResponse:
    """A personal link: the answer buttons are a form, so a mail scanner that opens the link
    answers nothing."""
    link = links.find(token)
    if link is None:
        raise Http404
    ask = link.ask
    form = forms.LinkAnswerForm(request.POST or None)
    error = None
    if request.method == "POST":
        if form.is_valid():
            try:
                ask = services.answer_ask(ask=ask, answer=form.cleaned_data["answer"], via="email")
            except ValidationError as exc:
                error = " ".join(exc.messages)
            else:
                return render(request, "mobilize/rsvp_thanks.html", {"ask": ask})
        else:
            error = " ".join(e for errors in form.errors.values() for e in errors)
    return render(
        request,
        "mobilize/rsvp.html",
        {"ask": ask, "action": ask.action, "error": error},
        status=422 if error else 200,
    )
