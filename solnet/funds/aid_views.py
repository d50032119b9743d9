"""The aid pages: asking a fund (a member, or anyone on a mutual-aid fund's public form), the
requests a treasurer or the deciding body reviews, putting one to the vote, recording its
payment. Each view: access helper → form → service → redirect; 422 on a refused post."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from solnet.core import audit, public_forms, sealed, twoperson, uploads
from solnet.core.access import deny, get_or_404, member_view
from solnet.core.forms import add_errors
from solnet.core.middleware import UPLOADED_FILE_POLICY
from solnet.democracy import access as democracy_access
from solnet.fights import evidence
from solnet.funds import aid, aid_access, aid_payments, lottery, lottery_seed
from solnet.funds.access import can_keep_books, can_see_funds, get_fund_or_404
from solnet.funds.aid_forms import AidRequestForm, PayForm, PublicAidForm, PutToVoteForm
from solnet.funds.models import AidRequest, AidStatus, Books, Decider

PAGE_SIZE = 25


# --- asking ---------------------------------------------------------------------------------


@member_view()
@require_http_methods(["GET", "POST"])
@csrf_exempt  # the upload handler must be set before the body is read; checked just below
def ask(request: HttpRequest, public_id: str) -> HttpResponse:
    handler = None
    if request.method == "POST":
        handler = uploads.install(request, max_bytes=evidence.MAX_BYTES)
    return _ask(request, public_id, handler)


@csrf_protect
def _ask(
    request: HttpRequest, public_id: str, handler: uploads.MemoryOnlyUpload | None
) -> HttpResponse:
    fund = aid_access.get_fund_to_ask_or_404(request.user, public_id)
    if request.method != "POST":
        return render(request, "funds/aid_ask.html", {"fund": fund, "form": AidRequestForm()})
    if uploads.body_too_big(request, max_bytes=evidence.MAX_BYTES):
        form = AidRequestForm({})
        form.full_clean()
        form.add_error(None, evidence.too_big_message())
    else:
        form = AidRequestForm(request.POST, request.FILES)
        if handler is not None and handler.too_big:
            form.full_clean()
            form.add_error("receipt", evidence.too_big_message())
        elif form.is_valid():
            data = dict(form.cleaned_data)
            receipt = data.pop("receipt")
            try:
                made = aid.ask_for_aid(
                    fund=fund,
                    by=request.user,
                    receipts=[receipt] if receipt else [],
                    **data,
                )
            except ValidationError as error:
                add_errors(form, error)
            else:
                messages.success(request, _("Your request is sent to the fund."))
                return redirect("funds:request", public_id=made.public_id)
    return render(request, "funds/aid_ask.html", {"fund": fund, "form": form}, status=422)


@require_http_methods(["GET", "POST"])
def ask_public(request: HttpRequest, public_id: str) -> HttpResponse:
    """Public, no account and no JavaScript; spam held back by `solnet.core.public_forms`."""
    fund = aid_access.get_public_fund_or_404(public_id)
    form = PublicAidForm(request.POST or None)
    if request.method != "POST":
        return render(request, "funds/aid_ask_public.html", {"fund": fund, "form": form})
    verdict = public_forms.screen(
        request, form, scope="funds-aid", per_hour=request.network.public_forms_per_hour
    )
    if verdict is public_forms.Verdict.ACCEPT:
        data = {k: v for k, v in form.cleaned_data.items() if k not in ("website", "started")}
        try:
            aid.ask_publicly(fund=fund, **data)
        except ValidationError as error:
            add_errors(form, error)
            verdict = public_forms.Verdict.INVALID
        except PermissionDenied:
            raise deny() from None
    if verdict in (public_forms.Verdict.ACCEPT, public_forms.Verdict.BOT):
        return redirect("funds:ask_public_thanks", public_id=fund.public_id)
    return render(
        request, "funds/aid_ask_public.html", {"fund": fund, "form": form}, status=verdict.value
    )


@require_GET
def ask_public_thanks(request: HttpRequest, public_id: str) -> HttpResponse:
    fund = aid_access.get_public_fund_or_404(public_id)
    return render(request, "funds/aid_ask_public_thanks.html", {"fund": fund})


# --- reviewing ------------------------------------------------------------------------------


@member_view(aid_access.can_review_any)
@require_GET
def requests(request: HttpRequest) -> HttpResponse:
    show = request.GET.get("show", "open")
    rows = aid_access.reviewable_requests(request.user).select_related("fund")
    if show == "open":
        rows = rows.filter(status__in=[AidStatus.SUBMITTED, AidStatus.VOTING])
    elif show == "to_pay":
        rows = rows.filter(status=AidStatus.GRANTED)
    else:
        show = "all"
    page = Paginator(rows.order_by("-created_at", "-pk"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    for item in page:
        aid.settle(item)
    return render(
        request,
        "funds/aid_requests.html",
        {"page": page, "show": show, "query": f"show={show}"},
    )


def _detail_context(request: HttpRequest, item: AidRequest, **extra) -> dict:
    viewer = request.user
    proposal = item.proposal
    return {
        "item": item,
        "reviewer": aid_access.can_review(viewer, item),
        "receipts": list(item.receipts.all()) if aid_access.can_review(viewer, item) else [],
        "relations": list(item.relations.all()) if aid_access.can_review(viewer, item) else [],
        "proposal": proposal,
        "proposal_visible": proposal is not None
        and democracy_access.visible_proposals(viewer).filter(pk=proposal.pk).exists(),
        "vote_form": extra.get("vote_form")
        or (
            PutToVoteForm(request=item)
            if item.status == AidStatus.SUBMITTED and aid_access.can_put_to_vote(viewer, item)
            else None
        ),
        "pay_form": extra.get("pay_form")
        or (
            PayForm()
            if item.status == AidStatus.GRANTED and aid_access.can_pay(viewer, item)
            else None
        ),
        "waiting_approval": item.payment_approval
        if item.payment_approval is not None
        and item.payment_approval.status == "pending"
        and item.status == AidStatus.GRANTED
        else None,
        "amount": aid.shown(item.amount),
        "above_threshold": item.amount > Books.current().two_person_above,
    }


@member_view()
@require_GET
def request_detail(request: HttpRequest, public_id: str) -> HttpResponse:
    item = aid.settle(aid_access.get_request_or_404(request.user, public_id))
    return render(request, "funds/aid_request.html", _detail_context(request, item))


@member_view()
@require_POST
def request_vote(request: HttpRequest, public_id: str) -> HttpResponse:
    item = aid.settle(aid_access.get_request_or_404(request.user, public_id))
    if not aid_access.can_put_to_vote(request.user, item):
        raise deny()
    form = PutToVoteForm(request.POST, request=item)
    if form.is_valid():
        try:
            aid.put_to_vote(request=item, by=request.user, closes_at=form.cleaned_data["closes_at"])
        except ValidationError as error:
            add_errors(form, error)
        except PermissionDenied:
            raise deny() from None
        else:
            messages.success(request, _("The request is put to the vote."))
            return redirect("funds:request", public_id=item.public_id)
    return render(
        request,
        "funds/aid_request.html",
        _detail_context(request, item, vote_form=form),
        status=422,
    )


@member_view()
@require_POST
def request_pay(request: HttpRequest, public_id: str) -> HttpResponse:
    item = aid.settle(aid_access.get_request_or_404(request.user, public_id))
    if not aid_access.can_pay(request.user, item):
        raise deny()
    form = PayForm(request.POST)
    if form.is_valid():
        try:
            done = aid_payments.pay_grant(request=item, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_errors(form, error)
        except PermissionDenied:
            raise deny() from None
        else:
            if isinstance(done, AidRequest):
                messages.success(request, _("The payment is recorded."))
            else:
                messages.success(
                    request,
                    _("The payment waits for a second treasurer: %(what)s")
                    % {"what": twoperson.describe(done)},
                )
            return redirect("funds:request", public_id=item.public_id)
    return render(
        request,
        "funds/aid_request.html",
        _detail_context(request, item, pay_form=form),
        status=422,
    )


@member_view()
@require_GET
def request_receipt(request: HttpRequest, public_id: str, receipt_id: str) -> HttpResponse:
    receipt = aid_access.get_receipt_or_404(request.user, public_id, receipt_id)
    if not sealed.downloadable(receipt.file):
        raise deny()
    chunks = sealed.read_chunks(receipt.file)
    audit.record(
        "funds.aid_receipt_downloaded",
        actor=request.user,
        target=receipt.request,
        receipt=receipt.public_id,
    )
    response = StreamingHttpResponse(chunks, content_type=receipt.content_type)
    response["Content-Disposition"] = content_disposition_header(True, receipt.file.filename)
    response["Content-Security-Policy"] = UPLOADED_FILE_POLICY
    return response


# --- the month-end lottery ------------------------------------------------------------------


@member_view(can_see_funds)
@require_GET
def lottery_page(request: HttpRequest, public_id: str) -> HttpResponse:
    """Every member sees a lottery fund's commitment before the draw and, after it, the
    secret and the entrants to recompute the order (`solnet.funds.lottery`)."""
    fund = get_fund_or_404(request.user, public_id)
    if fund.decider != Decider.LOTTERY:
        raise deny()
    if fund.closed_at is None:
        lottery_seed.current_draw(fund)
    return render(request, "funds/aid_lottery.html", _lottery_context(request, fund))


def _lottery_context(request: HttpRequest, fund) -> dict:
    draws = list(fund.draws.all()[:12])
    for draw in draws:
        # The order of a drawn lottery, with each ticket, for anyone to check.
        draw.tickets = [(pid, lottery_seed.ticket(draw.secret, pid)) for pid in draw.entrants]
        draw.tickets.sort(key=lambda pair: pair[1])
    return {
        "fund": fund,
        "draws": draws,
        "may_draw": can_keep_books(request.user),
        "now": timezone.now(),
    }


@member_view(can_keep_books)
@require_POST
def lottery_draw(request: HttpRequest, public_id: str, draw_id: str) -> HttpResponse:
    fund = get_fund_or_404(request.user, public_id)
    draw = get_or_404(fund.draws.all(), public_id=draw_id)
    try:
        lottery.draw_lottery(draw=draw, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return render(
            request, "funds/aid_lottery.html", _lottery_context(request, fund), status=422
        )
    messages.success(request, _("The lottery is drawn."))
    return redirect("funds:lottery", public_id=fund.public_id)
