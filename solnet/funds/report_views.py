"""Pages of the funds' report and of exports of the journal. Each view: access helper → form
→ service → response. Every page works without JavaScript; the chart is drawn on the server.

The report names nobody: money in and out, the grants in words, the balance. Members read
it for every fund; anyone reads the public report of the open funds once the network chose
to publish it. Exports of the journal are the treasurers' and need a second treasurer.
"""

from __future__ import annotations

from allauth.account.decorators import reauthentication_required
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from solnet.core import sealed
from solnet.core.access import member_view
from solnet.funds import access, journal_exports, money, reports
from solnet.funds.models import Books, Fund
from solnet.funds.report_forms import JournalExportForm, ReportForm

RECENT_EXPORTS = 20


def _shown_report(report: reports.FundReport, currency: str, *, number: int = 1) -> dict:
    """What a template needs of one fund's report: the report, its grants in words, its
    chart, and the `number` that keeps the chart's ids apart on a page of several funds."""
    language = translation.get_language()

    def shown(minor: int) -> str:
        return money.shown(minor, currency, language)

    return {
        "report": report,
        "grants": [(grant, grant.sentence(currency, language)) for grant in report.grants],
        "chart": reports.balance_chart(report, shown=shown),
        "number": number,
    }


@member_view(access.can_see_funds)
@require_GET
def report(request: HttpRequest, public_id: str) -> HttpResponse:
    fund = access.get_fund_or_404(request.user, public_id)
    form = ReportForm(request.GET or None)
    found = reports.monthly_report(fund, months=form.chosen_months())
    return render(
        request,
        "funds/report.html",
        {
            "fund": fund,
            "form": form,
            "shown": _shown_report(found, money.network_currency()),
            "thanks": reports.thanked_donors([fund], start=found.start, end=found.end),
        },
    )


@require_GET
def public_report(request: HttpRequest) -> HttpResponse:
    """Anyone's, once the network publishes it: every open fund, no name but the donors who
    asked to be thanked by name, and councils and fights only by their kind."""
    if not Books.current().publish_report:
        raise Http404
    form = ReportForm(request.GET or None)
    funds = list(Fund.objects.open())
    found = reports.monthly_reports(funds, months=form.chosen_months(), public=True)
    currency = money.network_currency()
    start, end, _months = reports.period(months=form.chosen_months())
    return render(
        request,
        "funds/report_public.html",
        {
            "form": form,
            "shown_reports": [
                _shown_report(one, currency, number=n) for n, one in enumerate(found, start=1)
            ],
            "summary": reports.network_summary(),
            "thanks": reports.thanked_donors(funds, start=start, end=end),
        },
    )


# --- exports of the journal ------------------------------------------------------------------


@member_view(access.can_keep_books)
@require_http_methods(["GET", "POST"])
@reauthentication_required(allow_get=True)
def export_new(request: HttpRequest) -> HttpResponse:
    """GET: the form and the treasurer's own exports; POST asks for one."""
    form = JournalExportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            export = journal_exports.request_export(
                kind=form.cleaned_data["format"], by=request.user
            )
        except PermissionDenied:
            raise Http404 from None
        except ValidationError as problem:
            form.add_error(None, problem)
        else:
            messages.success(
                request,
                _("Asked. The file is made once a second treasurer approves the export."),
            )
            return redirect("funds:export_detail", public_id=export.public_id)
    rows = [
        (export, journal_exports.state_of(request.user, export))
        for export in journal_exports.exports_of(request.user)[:RECENT_EXPORTS]
    ]
    return render(
        request,
        "funds/report_export_new.html",
        {"form": form, "rows": rows},
        status=422 if request.method == "POST" else 200,
    )


@member_view(access.can_keep_books)
@require_GET
def export_detail(request: HttpRequest, public_id: str) -> HttpResponse:
    export = journal_exports.get_export_or_404(request.user, public_id)
    return render(
        request,
        "funds/report_export_detail.html",
        {
            "export": export,
            "state": journal_exports.state_of(request.user, export),
            "format": journal_exports.FORMAT_NAMES.get(export.params.get("format", ""), ""),
        },
    )


@member_view(access.can_keep_books)
@require_GET
@reauthentication_required
def export_download(request: HttpRequest, public_id: str) -> HttpResponseBase:
    """Only the treasurer who asked, signed in afresh, within the hour; never cached."""
    export = journal_exports.get_export_or_404(request.user, public_id)
    state = journal_exports.state_of(request.user, export)
    if state.code not in ("ready", "expired"):
        raise Http404
    try:
        file = journal_exports.download_export(export=export, by=request.user)
        chunks = sealed.read_chunks(file)
    except PermissionDenied:
        raise Http404 from None
    except (ValidationError, FileNotFoundError):
        gone = render(request, "funds/report_export_gone.html", {"export": export}, status=410)
        gone["Cache-Control"] = "no-store"
        return gone
    response = StreamingHttpResponse(chunks, content_type=file.content_type)
    response["Content-Disposition"] = f'attachment; filename="{file.filename}"'
    response["Cache-Control"] = "no-store"
    return response
