"""Pages of the CSV import of people and of merging two records. Each view: access helper →
form → service → response (see `people.imports` and `people.merging`)."""

from __future__ import annotations

import csv
import io
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from solnet.core import uploads
from solnet.core.access import member_view
from solnet.members.models import Tier
from solnet.people import access, import_rows, import_values, merging
from solnet.people.import_forms import (
    MappingForm,
    MergeForm,
    MergeSearchForm,
    PresetForm,
    RowFixForm,
    StartForm,
)
from solnet.people.import_forms import UploadForm as ImportUploadForm
from solnet.people.imports import files, flags, progress
from solnet.people.imports import services as import_services
from solnet.people.models import ImportStatus, Person, PersonImport

PAGE_SIZE = 20
IN_PROGRESS = (
    ImportStatus.CHECK_QUEUED,
    ImportStatus.CHECKING,
    ImportStatus.QUEUED,
    ImportStatus.RUNNING,
)


@member_view(access.can_import_people)
@require_http_methods(["GET", "POST"])
@csrf_exempt  # the upload handler must be set before the body is read; checked just below
def import_new(request: HttpRequest) -> HttpResponse:
    handler = uploads.install(request, max_bytes=files.MAX_UPLOAD_BYTES)
    return _import_new(request, handler)


@csrf_protect
def _import_new(request: HttpRequest, handler: uploads.MemoryOnlyUpload) -> HttpResponse:
    form = ImportUploadForm()
    if request.method == "POST":
        if uploads.body_too_big(request, max_bytes=files.MAX_UPLOAD_BYTES):
            form, too_big = ImportUploadForm({}, {}), True  # the body is never read
        else:
            form = ImportUploadForm(request.POST, request.FILES)
            too_big = handler.too_big  # set while request.FILES was read
        if too_big:
            form.full_clean()
            form.errors["file"] = form.error_class(files.upload_error("too_big").messages)
        elif form.is_valid():
            try:
                person_import = files.store_upload(
                    upload=form.cleaned_data["file"], by=request.user
                )
            except ValidationError as error:
                form.add_error("file", error)
            else:
                return redirect("people:import_columns", public_id=person_import.public_id)
    page = Paginator(access.visible_imports(request.user), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "people/import_new.html",
        {"form": form, "page": page},
        status=422 if request.method == "POST" else 200,
    )


def _samples(person_import: PersonImport, width: int) -> list[str]:
    """The first value of each column within the file's first rows."""
    samples = [""] * width
    for number, (_row, cells) in enumerate(files.read_rows(person_import)):
        for index, cell in enumerate(cells[:width]):
            if not samples[index] and cell.strip():
                samples[index] = cell.strip()
        if all(samples) or number >= 20:
            break
    return samples


@member_view(access.can_import_people)
@require_http_methods(["GET", "POST"])
def import_columns(request: HttpRequest, public_id: str) -> HttpResponse:
    person_import = access.get_import_or_404(request.user, public_id)
    if person_import.status not in import_services.MAPPABLE:
        return redirect("people:import_detail", public_id=public_id)
    headers = files.headers_of(person_import)
    mapping = person_import.mapping
    preset_form = PresetForm(request.GET or None, initial={"preset": person_import.preset})
    columns = mapping["columns"]
    if preset_form.is_bound and preset_form.is_valid():
        columns = import_rows.apply_preset(headers, preset_form.cleaned_data["preset"])
    initial: dict[str, Any] = {f"column_{i}": target for i, target in enumerate(columns)}
    initial.update(
        phone_kind=mapping["phone_kind"],
        consent=mapping["consent"],
        area_code=mapping.get("area_code", ""),
    )
    form = MappingForm(
        request.POST or None,
        headers=headers,
        samples=_samples(person_import, len(headers)),
        initial=initial,
    )
    if request.method == "POST" and form.is_valid():
        try:
            import_services.save_mapping(
                person_import=person_import,
                columns=form.columns(),
                phone_kind=form.cleaned_data["phone_kind"],
                consent=form.cleaned_data["consent"],
                area_code=form.cleaned_data["area_code"],
                by=request.user,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            return redirect("people:import_detail", public_id=public_id)
    return render(
        request,
        "people/import_columns.html",
        {
            "person_import": person_import,
            "form": form,
            "preset_form": preset_form,
            "preset_label": import_rows.PRESETS[person_import.preset].label,
        },
        status=422 if request.method == "POST" else 200,
    )


@member_view(access.can_import_people)
@require_GET
def import_detail(request: HttpRequest, public_id: str) -> HttpResponse:
    """Where an import stands: the progress of its check or its run (polled by htmx, or
    reloaded by hand or by the browser without JavaScript), its result, or its failure."""
    person_import = access.get_import_or_404(request.user, public_id)
    status = person_import.status
    interrupted = progress.is_interrupted(person_import)
    working = status in IN_PROGRESS and not interrupted
    if request.htmx and not working:
        response = HttpResponse(status=204)
        response["HX-Refresh"] = "true"  # the whole page changes: load it again
        return response
    if status == ImportStatus.UPLOADED:
        if person_import.failure:
            messages.error(request, _("The check of the file failed. Try again."))
        return redirect("people:import_columns", public_id=public_id)
    if status == ImportStatus.READY:
        return redirect("people:import_preview", public_id=public_id)
    context = {
        "person_import": person_import,
        "working": working,
        "interrupted": interrupted,
        "progress": progress.progress_of(person_import),
        "result": person_import.result,
    }
    if status == ImportStatus.DONE:
        context["suggestions"] = _suggestions(request, person_import.result)
        context["flagged"] = _flagged(request, person_import.result)
        context["refused_kept"] = bool(files.load_findings(person_import).get("refused"))
    template = "people/import_progress.html" if request.htmx else "people/import_detail.html"
    return render(request, template, context)


def _suggestions(request: HttpRequest, result: dict) -> list[tuple[Person, Person]]:
    """People recorded anyway although they matched someone: the pairs to look at, for the
    ones both still exist and the organizer still sees."""
    pairs = result.get("possible_duplicates", [])
    wanted = {public_id for pair in pairs for public_id in pair}
    people = {
        p.public_id: p for p in access.visible_people(request.user).filter(public_id__in=wanted)
    }
    return [(people[a], people[b]) for a, b in pairs if a in people and b in people]


def _flagged(request: HttpRequest, result: dict) -> list[dict[str, Any]]:
    """The values the import left out, with the records they were left out of (those still
    there that the organizer sees)."""
    entries = result.get("flags", [])
    wanted = {public_id for _row, public_id, _field, _code in entries}
    people = {
        p.public_id: p for p in access.visible_people(request.user).filter(public_id__in=wanted)
    }
    return [
        {
            "row": row,
            "person": people[public_id],
            "field": import_rows.FLAG_FIELDS.get(field, field),
            "problem": import_rows.left_out_reason(code),
        }
        for row, public_id, field, code in entries
        if public_id in people
    ]


def _texts(row: int, problems: list) -> list[str]:
    return [import_rows.row_problem_text(row, code, params) for _f, code, params in problems]


def _preview_context(
    person_import: PersonImport,
    *,
    start_form: StartForm | None = None,
    fixing: tuple[int, RowFixForm] | None = None,
) -> dict[str, Any]:
    findings = files.load_findings(person_import)
    reading = files.reading_of(person_import)
    for entry in findings.get("sample", []):
        entry["tier_label"] = Tier(entry["tier"]).label
    errors = []
    for entry in findings.get("errors", []):
        row = entry["row"]
        if fixing and fixing[0] == row:
            form = fixing[1]
        else:
            form = RowFixForm(initial=entry["values"], prefix=f"row{row}", reading=reading)
        errors.append({"row": row, "texts": _texts(row, entry["problems"]), "form": form})
    flagged = [
        {
            "row": entry["row"],
            "name": entry["name"],
            "texts": _texts(entry["row"], entry["problems"]),
        }
        for entry in findings.get("flagged", [])
    ]
    duplicates = findings.get("duplicates", [])
    if start_form is None:
        start_form = StartForm(duplicates=duplicates, error_count=findings.get("error_count", 0))
    fields = {field.name: field for field in start_form.duplicate_fields()}
    return {
        "person_import": person_import,
        "findings": findings,
        "errors": errors,
        "unlisted_errors": findings.get("error_count", 0) - len(errors),
        "flagged": flagged,
        "unlisted_flagged": findings.get("flagged_count", 0) - len(flagged),
        "left_out": findings.get("left_out", {}),
        "opted_out": findings.get("opted_out", {}),
        "date_order": import_values.date_order_text(reading)
        if findings.get("dates_assumed")
        else "",
        "duplicates": [(entry, fields[f"row_{entry['row']}"]) for entry in duplicates],
        "unlisted_duplicates": findings.get("duplicate_count", 0) - len(duplicates),
        "start_form": start_form,
        "consent": person_import.mapping.get("consent"),
        "phone_kind": person_import.mapping.get("phone_kind"),
    }


@member_view(access.can_import_people)
@require_GET
def import_preview(request: HttpRequest, public_id: str) -> HttpResponse:
    person_import = access.get_import_or_404(request.user, public_id)
    if person_import.status != ImportStatus.READY:
        return redirect("people:import_detail", public_id=public_id)
    return render(request, "people/import_preview.html", _preview_context(person_import))


@member_view(access.can_import_people)
@require_POST
def import_fix(request: HttpRequest, public_id: str, row: int) -> HttpResponse:
    person_import = access.get_import_or_404(request.user, public_id)
    form = RowFixForm(request.POST, prefix=f"row{row}", reading=files.reading_of(person_import))
    if form.is_valid():
        try:
            import_services.fix_row(
                person_import=person_import, row=row, values=form.values(), by=request.user
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Row %(row)s is fixed.") % {"row": row})
            return redirect("people:import_detail", public_id=public_id)
    if person_import.status != ImportStatus.READY:
        messages.error(request, " ".join(form.non_field_errors()))
        return redirect("people:import_detail", public_id=public_id)
    return render(
        request,
        "people/import_preview.html",
        _preview_context(person_import, fixing=(row, form)),
        status=422,
    )


@member_view(access.can_import_people)
@require_POST
def import_start(request: HttpRequest, public_id: str) -> HttpResponse:
    person_import = access.get_import_or_404(request.user, public_id)
    findings = files.load_findings(person_import)
    form = StartForm(
        request.POST,
        duplicates=findings.get("duplicates", []),
        error_count=findings.get("error_count", 0),
    )
    if form.is_valid():
        try:
            import_services.start_import(
                person_import=person_import,
                default=form.cleaned_data.get("default") or import_rows.Decision.ADD,
                rows=form.decisions(),
                skip_errors=form.cleaned_data.get("skip_errors", False),
                by=request.user,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            return redirect("people:import_detail", public_id=public_id)
    if person_import.status != ImportStatus.READY:
        return redirect("people:import_detail", public_id=public_id)
    return render(
        request,
        "people/import_preview.html",
        _preview_context(person_import, start_form=form),
        status=422,
    )


@member_view(access.can_import_people)
@require_POST
def import_restart(request: HttpRequest, public_id: str) -> HttpResponse:
    person_import = access.get_import_or_404(request.user, public_id)
    try:
        import_services.restart_import(person_import=person_import, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("people:import_detail", public_id=public_id)


@member_view(access.can_import_people)
@require_POST
def import_delete(request: HttpRequest, public_id: str) -> HttpResponse:
    person_import = access.get_import_or_404(request.user, public_id)
    try:
        import_services.delete_import(person_import=person_import, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("people:import_detail", public_id=public_id)
    messages.success(request, _("The import and its file are deleted."))
    return redirect("people:import_new")


def _safe_cell(value: str) -> str:
    """Spreadsheets run a cell that starts like a formula: such text is kept as text."""
    return f"'{value}" if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


@member_view(access.can_import_people)
@require_GET
def import_refused(request: HttpRequest, public_id: str) -> HttpResponse:
    """The rows the import refuses (or refused), as a CSV file with the file's own columns and
    a "reason" column: to fix in a spreadsheet and import again. Only the import's organizer
    gets it, like the import itself."""
    person_import = access.get_import_or_404(request.user, public_id)
    if person_import.status == ImportStatus.DONE:
        kept = files.load_findings(person_import)
        headers, refused = kept.get("headers", []), kept.get("refused", [])
    elif person_import.chunks.exists() and person_import.status not in IN_PROGRESS:
        headers = files.headers_of(person_import)
        refused = files.refused_rows(person_import)
    else:
        raise Http404
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([_safe_cell(header) for header in headers] + [_("reason")])
    for _row, cells, problems in refused:
        reason = "; ".join(
            capfirst(import_rows.problem_text(code, params)) for _f, code, params in problems
        )
        padded = list(cells) + [""] * (len(headers) - len(cells))
        writer.writerow([_safe_cell(cell) for cell in padded] + [_safe_cell(reason)])
    response = HttpResponse("\ufeff" + buffer.getvalue(), content_type="text/csv; charset=utf-8")
    filename = f"refused-rows-{person_import.public_id}.csv"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response


@member_view(flags.can_check_flags)
@require_POST
def flag_dismiss(request: HttpRequest, public_id: str, flag_id: str) -> HttpResponse:
    person = access.get_person_or_404(request.user, public_id)
    flag = flags.get_flag_or_404(request.user, person, flag_id)
    flags.dismiss_flag(flag=flag, by=request.user)
    messages.success(request, _("The note is dismissed."))
    return redirect("people:detail", public_id=person.public_id)


# --- merging -------------------------------------------------------------------------------


@member_view(access.can_merge_people)
@require_GET
def merge_pick(request: HttpRequest, public_id: str) -> HttpResponse:
    """Finds the other record: by exact email or phone, or by name."""
    person = access.get_person_or_404(request.user, public_id)
    form = MergeSearchForm(request.GET or None)
    page = None
    if (
        form.is_bound
        and form.is_valid()
        and (form.cleaned_data["q"] or form.cleaned_data["contact"])
    ):
        found = (
            access.visible_people(request.user)
            .matching(q=form.cleaned_data["q"], contact=form.cleaned_data["contact"])
            .exclude(pk=person.pk)
            .with_lists()
            .order_by("display_name", "pk")
        )
        page = Paginator(found, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "people/merge_pick.html",
        {"person": person, "form": form, "page": page, "query": query.urlencode()},
    )


def _record(request: HttpRequest, person: Person) -> dict[str, Any]:
    """What the merge page shows of one record, and how many rows of every kind hang on it."""
    counts = []
    for relation in Person._meta.related_objects:
        model = relation.related_model
        number = model._base_manager.filter(**{relation.field.name: person}).count()
        if number:
            meta = model._meta
            counts.append((number, meta.verbose_name if number == 1 else meta.verbose_name_plural))
    return {
        "person": person,
        "channels": access.shown_channels(request.user, person),
        "counts": counts,
    }


@member_view(access.can_merge_people)
@require_http_methods(["GET", "POST"])
def merge(request: HttpRequest, public_id: str, other_id: str) -> HttpResponse:
    """The two records side by side; the organizer picks each field's value and merges the
    other record into this one."""
    person = access.get_person_or_404(request.user, public_id)
    other = access.get_person_or_404(request.user, other_id)
    refusal = merging.refusal(person, other)
    form = MergeForm(
        request.POST or None,
        keep=person,
        remove=other,
        initial=merging.default_choices(person, other),
    )
    if request.method == "POST" and not refusal and form.is_valid():
        try:
            merging.merge_people(
                keep=person, remove=other, take_from_other=form.take_from_other(), by=request.user
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request, _("The two records are now one: %(name)s.") % {"name": person}
            )
            return redirect("people:detail", public_id=person.public_id)
    return render(
        request,
        "people/merge_confirm.html",
        {
            "form": form,
            "refusal": refusal,
            "this": _record(request, person),
            "other": _record(request, other),
        },
        status=422 if request.method == "POST" else 200,
    )
