"""Phone numbers stored as typed ("(206) 555-0100", "206.555.0100", "+1 206 555 0100") become
E.164 ("+12065550100"), read in the network's country, and their blind indexes are computed
again, so that the same number written three ways is one number. A number that does not read
as one is left as it was, listed here by the record's public id (never the number) and flagged
on the person's page. Digests copied from a channel (a queued delivery's address, a STOP) follow
their channel's new digest."""

from django.db import migrations

from solnet.core import phones

PROGRESS_EVERY = 5000
EMAIL = "email"


def _renumber(rows, *, field, index, region, kind_field=None, say, label):
    """Each row's number in E.164: returns {old digest: new digest}, how many rows were
    written again, and the rows whose number could not be read."""
    moved, unreadable, done, rewritten = {}, [], 0, 0
    for row in rows.iterator(chunk_size=500):
        done += 1
        if done % PROGRESS_EVERY == 0:
            say(f"  {label}: {done:,} read")
        if kind_field and getattr(row, kind_field) == EMAIL:
            continue
        value = getattr(row, field) or ""
        if not value:
            continue
        number = phones.read_phone(value, region=region)
        if number is None:
            unreadable.append(row)
            continue
        if number == value:
            continue
        old = getattr(row, index)
        rewritten += 1
        setattr(row, field, number)
        row.save(update_fields=[field, index])  # the index is computed again on save
        if old and old != getattr(row, index):
            moved[old] = getattr(row, index)
    return moved, rewritten, unreadable


def numbers_to_e164(apps, schema_editor, *, say=print):
    Network = apps.get_model("network", "Network")
    region = Network.objects.filter(pk=1).values_list("country", flat=True).first() or "US"
    phones.forget_region()
    Member = apps.get_model("members", "Member")
    ContactChannel = apps.get_model("people", "ContactChannel")
    JoinRequest = apps.get_model("people", "JoinRequest")
    moved = {}
    reports = []
    for label, rows, field, index, kind in (
        ("members", Member.objects.exclude(phone__isnull=True), "phone", "phone_index", None),
        (
            "contact channels",
            ContactChannel.objects.select_related("person"),
            "value",
            "value_index",
            "kind",
        ),
        ("requests to join", JoinRequest.objects.all(), "value", "value_index", "kind"),
    ):
        found, rewritten, unreadable = _renumber(
            rows, field=field, index=index, region=region, kind_field=kind, say=say, label=label
        )
        moved.update(found)
        reports.append((label, rewritten, unreadable))
    # Digests copied from a channel's.
    Delivery = apps.get_model("mobilize", "Delivery")
    SmsOptOut = apps.get_model("mobilize", "SmsOptOut")
    InboundSms = apps.get_model("mobilize", "InboundSms")
    for old, new in moved.items():
        Delivery.objects.filter(address_index=old).update(address_index=new)
        InboundSms.objects.filter(from_index=old).update(from_index=new)
        if SmsOptOut.objects.filter(number_index=new).exists():
            SmsOptOut.objects.filter(number_index=old).delete()
        else:
            SmsOptOut.objects.filter(number_index=old).update(number_index=new)
    say("")  # after Django's "Applying …" on the same line
    for label, changed, unreadable in reports:
        if changed or unreadable:
            say(
                f"  Phone numbers of {label}: {changed:,} written again in E.164, "
                f"{len(unreadable):,} could not be read and were left as they were."
            )
        for row in unreadable:
            person = getattr(row, "person", None)
            where = (
                f"the person {person.public_id}"
                if person is not None
                else f"{label[:-1]} {getattr(row, 'public_id', row.pk)}"
            )
            say(f"    to check: {where}")


class Migration(migrations.Migration):
    dependencies = [
        ("people", "0009_import_checked_rows"),
        ("members", "0002_password_reset"),
        ("network", "0006_fight_rules_country_currency"),
        ("mobilize", "0001_mobilize"),
    ]

    operations = [
        migrations.RunPython(numbers_to_e164, migrations.RunPython.noop, elidable=False),
    ]
