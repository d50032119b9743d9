"""The field notes' pages: the incidents an observer, a dispatcher or the LO coordinator can
see, one incident's notes (checking in, logging an entry with a photo or video, correcting it
within 15 minutes, annotating it afterwards) and an entry's photo or video."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from solnet.core import uploads
from solnet.core.access import member_view
from solnet.core.forms import add_errors
from solnet.core.middleware import UPLOADED_FILE_POLICY
from solnet.defense import access, field, footage, legal
from solnet.defense.forms import (
    AnnotationForm,
    CheckInForm,
    FieldCorrectionForm,
    FieldEntryForm,
)
from solnet.defense.models import EntryKind, FieldMedia, Hotline, ReportStatus

PAGE_SIZE = 25


@member_view(access.can_file_report)
@require_GET
def incidents(request: HttpRequest) -> HttpResponse:
    listed = access.visible_incidents(request.user).select_related("zone", "alert")
    page = Paginator(listed.order_by("-created_at", "-pk"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(request, "defense/incidents.html", {"page": page})


def _incident_page(request: HttpRequest, report, status: int = 200, **forms) -> HttpResponse:
    member = request.user
    checked_in = field.is_checked_in(member, report)
    is_open = report.status == ReportStatus.CONFIRMED
    reads_all = access.reads_all_field_notes(member)
    listed = list(field.entries(report))
    notes: dict[int, list] = {}
    for entry in listed:
        if entry.annotates_id:
            notes.setdefault(entry.annotates_id, []).append(entry)
    annotating = forms.get("annotating")
    shown = []
    for entry in reversed(listed):
        if entry.annotates_id:
            continue
        note_form = None
        if checked_in and entry.what is not None:
            if annotating is not None and annotating[0] == entry.pk:
                note_form = annotating[1]
            else:
                note_form = AnnotationForm(auto_id=f"note-{entry.public_id}-%s")
        shown.append(
            {
                "entry": entry,
                "notes": notes.get(entry.pk, []),
                "correctable": field.can_correct(entry, member),
                "note_form": note_form,
                "annotations": [
                    {"entry": note, "correctable": field.can_correct(note, member)}
                    for note in notes.get(entry.pk, [])
                ],
            }
        )
    if checked_in and is_open and "entry_form" not in forms:
        forms["entry_form"] = FieldEntryForm()
    may_check_in_others = is_open and (
        access.is_lo_coordinator(member) or access.is_dispatcher(member)
    )
    if may_check_in_others and "check_in_form" not in forms:
        forms["check_in_form"] = CheckInForm(candidates=field.candidates(report))
    context = {
        "report": report,
        "alert": report.alert,
        "is_open": is_open,
        "checked_in": checked_in,
        "may_check_in": is_open and not checked_in and field.observer_skill(member) is not None,
        "observers": report.check_ins.select_related("member"),
        "shown": shown,
        "count": len(listed),
        "chain": field.check_chain(report) if reads_all else None,
        "arrestees": report.arrestees.all() if reads_all else None,
        "handoff": legal.pending(report) if reads_all else None,
        "legal_contact": bool(Hotline.current().legal_contact) if reads_all else False,
        "entry_form": forms.get("entry_form"),
        "check_in_form": forms.get("check_in_form"),
    }
    return render(request, "defense/incident.html", context, status=status)


@member_view(access.can_file_report)
@require_GET
def incident(request: HttpRequest, public_id: str) -> HttpResponse:
    report = access.get_incident_or_404(request.user, public_id)
    return _incident_page(request, report)


@member_view(access.can_file_report)
@require_POST
def incident_check_in(request: HttpRequest, public_id: str) -> HttpResponse:
    """Checks in the member themselves, or (a dispatcher or the LO coordinator) the observer
    chosen in the form."""
    report = access.get_incident_or_404(request.user, public_id)
    form = None
    member = request.user
    if "member" in request.POST:
        form = CheckInForm(request.POST, candidates=field.candidates(report))
        if not form.is_valid():
            return _incident_page(request, report, status=422, check_in_form=form)
        member = form.cleaned_data["member"]
    try:
        field.check_in(report=report, member=member, by=request.user)
    except ValidationError as error:
        if form is None:
            messages.error(request, " ".join(error.messages))
            return redirect("defense:incident", public_id=report.public_id)
        add_errors(form, error, "member")
        return _incident_page(request, report, status=422, check_in_form=form)
    messages.success(request, _("%(name)s is checked in.") % {"name": member.display_name})
    return redirect("defense:incident", public_id=report.public_id)


@member_view(access.can_file_report)
@require_POST
@csrf_exempt  # the upload handler must be set before the body is read; checked just below
def entry_new(request: HttpRequest, public_id: str) -> HttpResponse:
    handler = uploads.install(request, max_bytes=footage.VIDEO_MAX_BYTES)
    return _entry_new(request, public_id, handler)


@csrf_protect
def _entry_new(
    request: HttpRequest, public_id: str, handler: uploads.MemoryOnlyUpload
) -> HttpResponse:
    report = access.get_incident_or_404(request.user, public_id)
    if uploads.body_too_big(request, max_bytes=footage.VIDEO_MAX_BYTES):
        form = FieldEntryForm({}, {})
        form.full_clean()
        form.errors["media"] = form.error_class([footage.too_big_message()])
        return _incident_page(request, report, status=422, entry_form=form)
    form = FieldEntryForm(request.POST, request.FILES)
    if handler.too_big:
        form.full_clean()
        form.errors["media"] = form.error_class([footage.too_big_message()])
    elif form.is_valid():
        upload = form.cleaned_data.get("media")
        try:
            field.log_entry(
                report=report,
                by=request.user,
                kind=form.cleaned_data["kind"],
                what=form.cleaned_data["what"],
                names=form.cleaned_data["names"],
                audible=form.cleaned_data["audible"],
                observed_at=form.cleaned_data["observed_at"],
                media=upload.read() if upload else None,
            )
        except ValidationError as error:
            add_errors(form, error, "media")
        else:
            messages.success(request, _("Logged and sealed into the incident's notes."))
            return redirect("defense:incident", public_id=report.public_id)
    return _incident_page(request, report, status=422, entry_form=form)


@member_view(access.can_file_report)
@require_http_methods(["GET", "POST"])
def entry_correct(request: HttpRequest, public_id: str, entry_id: str) -> HttpResponse:
    entry = access.get_entry_or_404(request.user, public_id, entry_id)
    if not field.can_correct(entry, request.user):
        messages.error(
            request, _("An entry can be corrected for 15 minutes only: add a note to it instead.")
        )
        return redirect("defense:incident", public_id=public_id)
    if request.method == "POST":
        form = FieldCorrectionForm(request.POST)
        if form.is_valid():
            try:
                field.correct(entry=entry, by=request.user, **form.cleaned_data)
            except ValidationError as error:
                add_errors(form, error)
            else:
                messages.success(request, _("The entry is corrected; the correction is logged."))
                return redirect("defense:incident", public_id=public_id)
        status = 422
    else:
        form = FieldCorrectionForm(
            initial={
                "what": entry.what,
                "names": entry.names,
                "audible": entry.audible,
                "observed_at": entry.observed_at,
            }
        )
        status = 200
    if entry.kind == EntryKind.ANNOTATION:
        for name in ("names", "audible", "observed_at"):
            del form.fields[name]
    context = {"entry": entry, "report": entry.report, "form": form}
    return render(request, "defense/entry_correct.html", context, status=status)


@member_view(access.can_file_report)
@require_POST
def entry_annotate(request: HttpRequest, public_id: str, entry_id: str) -> HttpResponse:
    entry = access.get_entry_or_404(request.user, public_id, entry_id)
    form = AnnotationForm(request.POST, auto_id=f"note-{entry.public_id}-%s")
    if form.is_valid():
        try:
            field.annotate(entry=entry, by=request.user, what=form.cleaned_data["what"])
        except ValidationError as error:
            add_errors(form, error, "what")
        else:
            messages.success(request, _("Your note is added to the entry."))
            return redirect("defense:incident", public_id=public_id)
    return _incident_page(request, entry.report, status=422, annotating=(entry.pk, form))


@member_view(access.can_file_report)
@require_GET
def entry_media(request: HttpRequest, public_id: str, entry_id: str) -> HttpResponse:
    entry = access.get_entry_or_404(request.user, public_id, entry_id)
    try:
        media, chunks = field.media_chunks(entry, request.user)
    except FieldMedia.DoesNotExist:
        raise Http404 from None
    response = StreamingHttpResponse(chunks, content_type=media.content_type)
    response["Content-Disposition"] = content_disposition_header(
        False, f"entry-{entry.position}.{footage.EXTENSIONS[media.content_type]}"
    )
    response["Content-Security-Policy"] = UPLOADED_FILE_POLICY
    response["Cache-Control"] = "private, no-store"
    return response
