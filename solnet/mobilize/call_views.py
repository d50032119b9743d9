"""Call lists: building one from the people filters and splitting it among callers, the
caller's view on a phone (script, numbers, one-tap outcomes, call-backs) and the live
confirmed-vs-needed count every caller sees."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from solnet.core.access import get_or_404, member_view
from solnet.mobilize import access, forms, services
from solnet.mobilize.models import DeliveryStatus
from solnet.mobilize.views import _matching, _runnable, add_errors
from solnet.people.models import Person

CALLS_PAGE = 20


@require_http_methods(["GET", "POST"])
@member_view()
def call_list_new(request: HttpRequest, public_id: str) -> HttpResponse:
    action = _runnable(request, public_id)
    unreached = _unreached_send(request, action)
    form = forms.CallListForm(
        request.POST or None,
        viewer=request.user,
        initial={"name": action.title, "unreached": unreached.public_id if unreached else ""},
    )
    if request.method == "POST" and form.is_valid():
        if unreached is not None:
            # Those a message could not reach, or reach in time, and those whose message may
            # not have arrived that the organizer chose to call: the phone tree takes over.
            people = Person.objects.filter(
                deliveries__send=unreached,
                deliveries__status__in=[
                    DeliveryStatus.UNREACHABLE,
                    DeliveryStatus.FAILED,
                    DeliveryStatus.TO_CALL,
                ],
            ).distinct()
        else:
            people = _matching(request, form).filter(tier__gte=action.tier)
        try:
            call_list = services.build_call_list(
                action=action,
                people=people,
                name=form.cleaned_data["name"],
                script=form.cleaned_data["script"],
                callers=form.cleaned_data["callers"],
                filters=form.as_query(),
                waiting_only=form.cleaned_data["waiting_only"],
                by=request.user,
            )
        except ValidationError as error:
            add_errors(form, error)
        else:
            count = call_list.calls.count()
            messages.success(
                request,
                _("The call list has %(count)d people, split among the callers.")
                % {"count": count},
            )
            return redirect("mobilize:call_list", action.public_id, call_list.public_id)
    return render(
        request,
        "mobilize/call_list_new.html",
        {"action": action, "form": form, "unreached": unreached},
        status=422 if request.method == "POST" else 200,
    )


def _unreached_send(request: HttpRequest, action):
    """?unreached=<send>: a list of whoever that send of this action could not reach."""
    public_id = request.GET.get("unreached") or request.POST.get("unreached")
    if not public_id:
        return None
    return get_or_404(access.visible_sends(request.user, action), public_id=public_id)


def caller_page(member, call_list, page_number) -> dict:
    """What the caller view shows, read from the database: the caller's page of calls with
    each person's numbers, and the action's confirmed-vs-needed count (benchmarked as
    `mobilize.caller_view_p95`)."""
    paginator = Paginator(services.calls_to_make(member, call_list), CALLS_PAGE)
    # Counted without the ordering's joins, which only sort.
    paginator.count = access.calls_for(member, call_list).count()  # type: ignore[misc]
    page = paginator.get_page(page_number)
    allowed = access.may_call(member)
    rows = [
        {"call": call, "numbers": access.numbers_to_call(member, call, allowed=allowed)}
        for call in page
    ]
    return {"page": page, "rows": rows, "turnout": services.turnout(call_list.action)}


@require_GET
@member_view(access.can_see_actions)
def call_list_detail(request: HttpRequest, public_id: str, list_id: str) -> HttpResponse:
    action = access.get_action_or_404(request.user, public_id)
    call_list = access.get_call_list_or_404(request.user, action, list_id)
    call_list.action = action
    runs = access.can_run(request.user, action)
    return render(
        request,
        "mobilize/call_list.html",
        {
            "action": action,
            "call_list": call_list,
            **caller_page(request.user, call_list, request.GET.get("page")),
            "runs": runs,
            "progress": services.caller_progress(call_list) if runs else [],
            "outcome_form": forms.CallOutcomeForm(),
            "may_call": access.may_call(request.user),
        },
    )


@require_POST
@member_view(access.can_see_actions)
def call_record(request: HttpRequest, public_id: str, list_id: str, pk: int) -> HttpResponse:
    action = access.get_action_or_404(request.user, public_id)
    call_list = access.get_call_list_or_404(request.user, action, list_id)
    call = access.get_call_or_404(request.user, call_list, pk)
    form = forms.CallOutcomeForm(request.POST)
    error = None
    if form.is_valid():
        try:
            call = services.record_call(
                call=call,
                result=form.cleaned_data["result"],
                answer=form.cleaned_data["answer"],
                callback_at=form.cleaned_data["callback_at"],
                by=request.user,
            )
        except ValidationError as exc:
            error = " ".join(exc.messages)
    else:
        error = " ".join(e for errors in form.errors.values() for e in errors)
    if request.htmx:
        call.refresh_from_db()
        return render(
            request,
            "mobilize/_call_row.html",
            {
                "action": action,
                "call_list": call_list,
                "row": {"call": call, "numbers": access.numbers_to_call(request.user, call)},
                "error": error,
                "outcome_form": forms.CallOutcomeForm(),
            },
            status=422 if error else 200,
        )
    if error:
        messages.error(request, error)
    else:
        messages.success(request, _("Noted."))
    page = request.POST.get("page", "")
    target = redirect("mobilize:call_list", action.public_id, call_list.public_id)
    if page.isdigit():
        target["Location"] += f"?page={int(page)}"
    return target


@require_GET
@member_view(access.can_see_actions)
def call_list_callers(request: HttpRequest, public_id: str, list_id: str) -> HttpResponse:
    """The callers' table of whoever runs the action: a fragment htmx refreshes every few
    seconds as calls are made, and a page of its own without JavaScript."""
    action = _runnable(request, public_id)
    call_list = access.get_call_list_or_404(request.user, action, list_id)
    template = "mobilize/_callers.html" if request.htmx else "mobilize/callers.html"
    context = {
        "action": action,
        "call_list": call_list,
        "progress": services.caller_progress(call_list),
    }
    return render(request, template, context)


@require_POST
@member_view()
def call_list_reassign(request: HttpRequest, public_id: str, list_id: str) -> HttpResponse:
    action = _runnable(request, public_id)
    call_list = access.get_call_list_or_404(request.user, action, list_id)
    form = forms.CallersForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(form.errors.get("callers", [])))
    else:
        try:
            count = services.reassign_calls(
                call_list=call_list, callers=form.cleaned_data["callers"], by=request.user
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(
                request, _("%(count)d calls not made yet were split again.") % {"count": count}
            )
    return redirect("mobilize:call_list", action.public_id, call_list.public_id)
