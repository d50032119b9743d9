"""The fast insert of many rows (`solnet.core.bulk`): the rows it writes are those
`bulk_create` writes, and a model with encrypted fields is refused."""

from __future__ import annotations

import pytest
from django.utils import timezone

from solnet.core import bulk
from solnet.mobilize.models import Delivery, Send, SendKind
from solnet.people.models import ContactChannel, Person

pytestmark = pytest.mark.django_db


def _rows(send, people, when):
    return [
        Delivery(
            send=send,
            person=person,
            channel="email" if n % 2 else "",
            language="es" if n % 3 else "en",
            address_index=f"{n:040d}" if n % 2 else None,
            status="queued" if n % 2 else "unreachable",
            due_at=when,
        )
        for n, person in enumerate(people)
    ]


def test_it_writes_what_bulk_create_writes():
    people = [Person.objects.create(display_name=f"P{n}") for n in range(7)]
    when = timezone.now()
    fast, slow = (Send.objects.create(kind=SendKind.NEWS, texts={}) for _ in range(2))
    assert bulk.insert_rows(Delivery, _rows(fast, people, when), batch=3) == 7
    Delivery.objects.bulk_create(_rows(slow, people, when))
    columns = [
        f.attname for f in Delivery._meta.concrete_fields if f.attname not in ("id", "send_id")
    ]

    def written(send):
        return list(send.deliveries.order_by("person_id").values_list(*columns))

    assert written(fast) == written(slow) and len(written(fast)) == 7


def test_a_model_with_encrypted_fields_is_refused():
    person = Person.objects.create(display_name="P")
    with pytest.raises(TypeError, match="encrypted"):
        bulk.insert_rows(ContactChannel, [ContactChannel(person=person, kind="email")], batch=10)
    assert not ContactChannel.objects.exists()
