"""The treasurer's pages of bank statements: upload, import progress, lines and
reconciliation, bank mappings. Each view: access helper → form → service → response."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_GET, require_http_methods

from solnet.core import uploads
from solnet.core.access import member_view
from solnet.core.forms import add_errors
from solnet.funds import access, ledger, statement_access, statements
from solnet.funds.models import LineStatus, StatementStatus
from solnet.funds.statement_files import MAX_UPLOAD_BYTES, too_big
from solnet.funds.statement_forms import IGNORE, POST, LineForm, MappingForm, UploadForm

PAGE_SIZE = 50
WORKING = (StatementStatus.QUEUED, StatementStatus.RUNNING)


@member_view(access.can_keep_books)
@require_http_methods(["GET", "POST"])
@csrf_exempt  # the upload handler must be set before the body is read; checked just below
def statement_list(request: HttpRequest) -> HttpResponse:
    handler = uploads.install(request, max_bytes=MAX_UPLOAD_BYTES)
    return _statement_list(request, handler)


@csrf_protect
def _statement_list(request: HttpRequest, handler: uploads.MemoryOnlyUpload) -> HttpResponse:
    ledger.open_standard_accounts()
    form = UploadForm()
    if request.method == "POST":
        if uploads.body_too_big(request, max_bytes=MAX_UPLOAD_BYTES):
            form, big = UploadForm({}, {}), True  # the body is never read
        else:
            form = UploadForm(request.POST, request.FILES)
            big = handler.too_big
        if big:
            form.full_clean()
            form.errors["file"] = form.error_class(too_big().messages)
        elif form.is_valid():
            data = form.cleaned_data
            try:
                statement = statements.upload_statement(
                    by=request.user,
                    data=data["file"].read(),
                    file_name=data["file"].name or "",
                    mapping=data["mapping"],
                    account=data["account"],
                    closing=data["closing"],
                )
            except ValidationError as error:
                add_errors(form, error, "file")
            else:
                messages.success(request, _("The statement is uploaded; its lines are being read."))
                return redirect("funds:statement", public_id=statement.public_id)
    page = Paginator(
        statement_access.visible_statements(request.user).select_related("account"), PAGE_SIZE
    ).get_page(request.GET.get("page"))
    return render(
        request,
        "funds/statements.html",
        {
            "form": form,
            "page": page,
            "has_mappings": statement_access.visible_mappings(request.user).exists(),
        },
        status=422 if request.method == "POST" else 200,
    )


@member_view(access.can_keep_books)
@require_http_methods(["GET", "POST"])
def statement_detail(request: HttpRequest, public_id: str) -> HttpResponse:
    """Where an import stands (polled by htmx while it runs), its reconciliation, and its
    lines, a page at a time, by status. A POST restarts a failed or interrupted import."""
    statement = statement_access.get_statement_or_404(request.user, public_id)
    if request.method == "POST":
        try:
            statements.restart_statement(by=request.user, statement=statement)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect("funds:statement", public_id=public_id)
        messages.success(request, _("The import goes on."))
        return redirect("funds:statement", public_id=public_id)
    interrupted = statements.is_interrupted(statement)
    working = statement.status in WORKING and not interrupted
    status = request.GET.get("status", "")
    if status not in LineStatus.values:
        status = ""
    context = {
        "statement": statement,
        "working": working,
        "interrupted": interrupted,
        "reconciliation": statements.reconcile(statement),
        "statuses": LineStatus.choices,
        "status": status,
        "query": f"status={status}" if status else "",
        "page": Paginator(statements.lines_of(statement, status), PAGE_SIZE).get_page(
            request.GET.get("page")
        ),
    }
    if request.htmx:
        if not working:
            response = HttpResponse(status=204)
            response["HX-Refresh"] = "true"  # the whole page changes: load it again
            return response
        return render(request, "funds/statement_progress.html", context)
    return render(request, "funds/statement.html", context)


@member_view(access.can_keep_books)
@require_http_methods(["GET", "POST"])
def statement_line(request: HttpRequest, public_id: str) -> HttpResponse:
    """A line the books lack: post it against an income or expense account, or ignore it."""
    line = statement_access.get_line_or_404(request.user, public_id)
    form = LineForm(request.POST or None, amount=line.amount, initial={"action": POST})
    context = {"line": line, "form": form, "statuses": LineStatus}
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if data["action"] == POST:
                statements.post_line(
                    by=request.user, line=line, account=data["account"], fund=data.get("fund")
                )
                messages.success(request, _("The line is posted."))
            else:
                statements.set_ignored(by=request.user, line=line, ignored=data["action"] == IGNORE)
                messages.success(request, _("Done."))
        except ValidationError as error:
            add_errors(form, error)
            return render(request, "funds/statement_line.html", context, status=422)
        return redirect("funds:statement", public_id=line.statement.public_id)
    return render(
        request,
        "funds/statement_line.html",
        context,
        status=422 if request.method == "POST" else 200,
    )


@member_view(access.can_keep_books)
@require_GET
def bank_mappings(request: HttpRequest) -> HttpResponse:
    page = Paginator(
        statement_access.visible_mappings(request.user).select_related("account"), PAGE_SIZE
    ).get_page(request.GET.get("page"))
    return render(request, "funds/statement_mappings.html", {"page": page})


@member_view(access.can_keep_books)
@require_http_methods(["GET", "POST"])
def bank_mapping_new(request: HttpRequest) -> HttpResponse:
    ledger.open_standard_accounts()
    form = MappingForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            statements.create_mapping(by=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, _("The bank mapping is saved."))
            return redirect("funds:bank_mappings")
    return render(
        request,
        "funds/statement_mapping_form.html",
        {"form": form},
        status=422 if request.method == "POST" else 200,
    )
