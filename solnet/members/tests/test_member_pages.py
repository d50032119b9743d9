"""The members' pages as people use them: each post changes what it should, says so, is
audited, and refuses everyone else with the same 404."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from conftest import sign_in
from solnet.core.models import ApprovalRequest, AuditEvent
from solnet.members.models import Member, Role, Tier

pytestmark = pytest.mark.django_db


def _messages(response) -> list[str]:
    return [str(m) for m in response.context["messages"]] if response.context else []


def test_an_organizer_moves_someone_between_tiers(personas):
    client = sign_in(Client(), personas["organizer"].member)
    target = personas["member"].member
    response = client.post(reverse("members:tier", args=[target.public_id]), {"tier": 20})
    assert response.status_code == 302
    assert Member.objects.get(pk=target.pk).tier == Tier.PHONE_TREE
    assert AuditEvent.objects.filter(action="member.tier_changed").count() == 1
    page = client.get(response["Location"])
    assert "Tier changed." in _messages(page)


def test_a_member_cannot_change_tiers_and_learns_nothing(personas):
    client = sign_in(Client(), personas["member"].member)
    target = personas["supporter"].member
    response = client.post(reverse("members:tier", args=[target.public_id]), {"tier": 40})
    assert response.status_code == 404
    assert Member.objects.get(pk=target.pk).tier == Tier.SUPPORTER
    assert not ApprovalRequest.objects.exists()
    assert AuditEvent.objects.filter(action="access.denied", actor_id=personas["member"].member.pk)


def test_the_dispatcher_role_waits_for_a_second_member_then_is_granted(personas):
    organizer = sign_in(Client(), personas["organizer"].member)
    target = personas["phone_tree"].member
    response = organizer.post(
        reverse("members:role_grant", args=[target.public_id]), {"role": Role.DISPATCHER}
    )
    assert response.status_code == 302
    assert not target.role_grants.exists()
    approval = ApprovalRequest.objects.get()
    assert "second member" in " ".join(_messages(organizer.get(response["Location"])))

    # The requester sees it but cannot approve it.
    page = organizer.get(reverse("core:approvals")).content.decode()
    assert "Give Phone Tree the role" in page
    denied = organizer.post(reverse("core:approval_approve", args=[approval.public_id]))
    assert denied.status_code == 404

    second = sign_in(Client(), personas["member"].member)
    page = second.get(reverse("core:approvals")).content.decode()
    assert "Give Phone Tree the role" in page
    response = second.post(reverse("core:approval_approve", args=[approval.public_id]))
    assert response.status_code == 302
    assert list(target.role_grants.values_list("role", flat=True)) == [Role.DISPATCHER]
    assert ApprovalRequest.objects.get().status == ApprovalRequest.Status.DONE


def test_approving_asks_for_the_password_again_when_it_is_not_fresh(personas):
    organizer = sign_in(Client(), personas["organizer"].member)
    organizer.post(
        reverse("members:role_grant", args=[personas["member"].member.public_id]),
        {"role": Role.FUND_COMMITTEE},
    )
    approval = ApprovalRequest.objects.get()
    stale = Client()
    stale.force_login(
        personas["dispatcher"].member, backend="allauth.account.auth_backends.AuthenticationBackend"
    )
    response = stale.post(reverse("core:approval_approve", args=[approval.public_id]))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_reauthenticate"))
    assert ApprovalRequest.objects.get().status == ApprovalRequest.Status.PENDING


def test_deactivating_from_the_page(personas):
    client = sign_in(Client(), personas["organizer"].member)
    target = personas["member"].member
    response = client.post(reverse("members:deactivate", args=[target.public_id]))
    assert response.status_code == 302
    assert not Member.objects.get(pk=target.pk).is_active
    assert AuditEvent.objects.filter(action="member.deactivated").count() == 1


def test_profile_changes_are_saved_encrypted(personas):
    member = personas["member"].member
    client = sign_in(Client(), member)
    response = client.post(
        reverse("members:me"),
        {
            "display_name": "Mer",
            "preferred_language": "es",
            "email": "new@example.org",
            "phone": "+1 206 555 0123",
        },
    )
    assert response.status_code == 302
    member = Member.objects.get(pk=member.pk)
    assert member.email == "new@example.org" and member.preferred_language == "es"
    field = Member._meta.get_field("email_index")
    assert member.email_index == field.lookup_value("NEW@example.org")


def test_bad_profile_input_is_refused_in_the_persons_language(personas):
    member = personas["member"].member
    client = sign_in(Client(), member)
    client.cookies["django_language"] = "es"
    response = client.post(
        reverse("members:me"), {"display_name": "", "email": "not-an-email", "phone": "call me"}
    )
    assert response.status_code == 422
    page = response.content.decode()
    assert "Este campo es obligatorio." in page
    assert "Escribe una dirección de correo electrónico válida." in page
    assert "Escribe un número de teléfono que exista, con su código de área" in page
    assert Member.objects.get(pk=member.pk).display_name == "Member"


def test_contacts_are_shown_only_to_those_who_need_them(personas):
    supporter = personas["supporter"].member
    path = reverse("members:detail", args=[supporter.public_id])
    for persona, sees in [
        ("member", False),
        ("organizer", True),
        ("dispatcher", True),
        ("fund_committee", True),
    ]:
        page = sign_in(Client(), personas[persona].member).get(path).content.decode()
        assert ("supporter@example.org" in page) is sees, persona


def test_lists_are_paginated(personas):
    from conftest import make_member

    for n in range(60):
        make_member(f"extra{n:02d}", with_totp=False)
    client = sign_in(Client(), personas["member"].member)
    first = client.get(reverse("members:list"))
    assert first.context["page"].paginator.num_pages == 2
    assert len(first.context["page"].object_list) == 50
    assert "Page 1 of 2" in first.content.decode()
    assert client.get(reverse("members:list") + "?page=2").status_code == 200


def test_approving_with_htmx_returns_only_the_row(personas):
    joiner = personas["pending"].member
    client = sign_in(Client(), personas["member"].member)
    path = reverse("members:pending_approve", args=[joiner.public_id])
    response = client.post(path, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith(f'<li id="joiner-{joiner.public_id}">')
    assert "<html" not in html and "<nav" not in html
    assert "Pending is now a member." in html
    assert Member.objects.get(pk=joiner.pk).status == Member.Status.ACTIVE
    assert AuditEvent.objects.filter(action="member.admitted").count() == 1


def test_approving_without_javascript_redirects_back_with_a_message(personas):
    joiner = personas["pending"].member
    client = sign_in(Client(), personas["member"].member)
    response = client.post(reverse("members:pending_approve", args=[joiner.public_id]))
    assert response.status_code == 302 and response["Location"] == reverse("members:pending")
    assert "Pending is now a member." in _messages(client.get(response["Location"]))


def test_an_outsider_gets_no_row(personas, client):
    joiner = personas["pending"].member
    response = client.post(
        reverse("members:pending_approve", args=[joiner.public_id]), HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 302
    assert Member.objects.get(pk=joiner.pk).status == Member.Status.PENDING
