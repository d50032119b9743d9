"""The public donation pages of a fund and the payment processor's webhook. Nobody signs in:
a fund's page is open to anyone while the fund takes donations online, and the webhook is
taken only with the processor's signature (solnet.funds.processor)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from solnet.core import public_forms
from solnet.core.middleware import CONTENT_SECURITY_POLICY
from solnet.funds import access, donations, processor
from solnet.funds.online_forms import GiveForm


def lets_form_reach_processor(response: HttpResponse) -> HttpResponse:
    """A payment form (a donation, dues) posts here and is sent on to the processor's payment
    page: browsers hold that redirect to the page's `form-action`, so the pages with such a
    form (and only they) name the processor's origin there. Everything else in the policy
    stays as strict."""
    response.headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY.replace(
        "form-action 'self'", f"form-action 'self' {processor.checkout_origin()}"
    )
    return response


@require_http_methods(["GET", "POST"])
def give(request: HttpRequest, public_id: str) -> HttpResponse:
    """Public, no JavaScript needed; spam held back by `solnet.core.public_forms`."""
    fund = access.get_givable_fund_or_404(public_id)
    offered = processor.configured()
    form = GiveForm(request.POST or None, currency=request.network.currency)
    status = 200
    if request.method == "POST":
        status = 422
        if offered:
            verdict = public_forms.screen(
                request, form, scope="give", per_hour=request.network.public_forms_per_hour
            )
            if verdict is public_forms.Verdict.BOT:
                return redirect("funds:give_thanks", fund.public_id)
            status = verdict.value
            if verdict is public_forms.Verdict.ACCEPT:
                try:
                    started = donations.start_online_donation(
                        fund=fund,
                        amount_minor=form.cleaned_data["amount"],
                        email=form.cleaned_data["email"],
                        donor_name=form.cleaned_data["donor_name"],
                        named=form.cleaned_data["named"],
                        language=translation.get_language(),
                    )
                except ValidationError as error:
                    form.add_error(None, error)
                    status = 422
                else:
                    return redirect(started.checkout_url)
    response = render(
        request, "funds/give.html", {"fund": fund, "form": form, "offered": offered}, status=status
    )
    return lets_form_reach_processor(response) if offered else response


@require_GET
def give_thanks(request: HttpRequest, public_id: str) -> HttpResponse:
    fund = access.get_givable_fund_or_404(public_id)
    return render(request, "funds/give_thanks.html", {"fund": fund})


@require_GET
def give_cancelled(request: HttpRequest, public_id: str) -> HttpResponse:
    fund = access.get_givable_fund_or_404(public_id)
    return render(request, "funds/give_cancelled.html", {"fund": fund})


@csrf_exempt  # the processor cannot hold a CSRF token: its signature stands in for one
@require_POST
def processor_webhook(request: HttpRequest) -> HttpResponse:
    """400 and nothing written for a delivery that is not provably the processor's or does not
    match a donation SolNet started (the processor tries again later); 200 for one applied,
    one already had, or one SolNet does not act on."""
    try:
        outcome = donations.record_processor_event(
            request.body, request.headers.get("Stripe-Signature", "")
        )
    except (processor.SignatureError, processor.EventRefused) as error:
        return HttpResponse(f"Refused: {error}.\n", status=400, content_type="text/plain")
    return HttpResponse(f"{outcome.value}\n", content_type="text/plain")
