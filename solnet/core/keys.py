"""Key rotation that loses nothing.

A rotation (1) re-wraps every data key under the current master key, so an old master key can be
thrown away; (2) makes a new field key and re-encrypts every encrypted value under it; (3) retires
the old field keys. Retired keys stay (wrapped) until `destroy_retired_keys` finds that no value
still uses them: a web process that cached the old key for a few seconds may still write with it.

Values encrypted outside model fields (the second-factor secrets that allauth keeps) register a
`CiphertextStore` so the rotation reaches them too.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

from django.db import connection, transaction
from django.utils import timezone

from solnet.core import crypto
from solnet.core.models import DataKey


@dataclass(frozen=True)
class CiphertextStore:
    """Ciphertexts kept somewhere other than an EncryptedTextField."""

    name: str
    iterate: Callable[[], Iterator[tuple[object, str]]]  # (row handle, ciphertext)
    rewrite: Callable[[object, str], None]  # write a new ciphertext for that row
    context: str


EXTRA_STORES: list[CiphertextStore] = []

# progress(what, done, total): called as a long rotation moves through the data.
Progress = Callable[[str, int, int], None]


def register_store(store: CiphertextStore) -> None:
    if all(existing.name != store.name for existing in EXTRA_STORES):
        EXTRA_STORES.append(store)


@dataclass
class RotationReport:
    rewrapped: int
    reencrypted: int
    new_key_id: str
    retired: list[str]


def rewrap_data_keys() -> int:
    """Re-wraps every data key that an old master key wraps under the current one."""
    masters = crypto.known_masters()
    current = crypto.current_master()
    current_id = crypto.master_id(current)
    count = 0
    for row in DataKey.objects.exclude(master_id=current_id).select_for_update():
        if row.master_id not in masters:
            raise RuntimeError(
                f"data key {row.key_id} is wrapped by master key {row.master_id}, which is not "
                "configured: list it in SOLNET_OLD_MASTER_KEYS"
            )
        raw = crypto.unwrap(masters[row.master_id], bytes(row.wrapped), key_id=row.key_id)
        row.wrapped = crypto.wrap(current, raw, key_id=row.key_id)
        row.master_id = current_id
        row.save(update_fields=["wrapped", "master_id"])
        count += 1
    return count


def _reencrypt_fields(batch: int = 500, progress: Progress | None = None) -> int:
    count = 0
    for model, field in crypto.encrypted_fields():
        manager = model._default_manager
        total = manager.exclude(**{f"{field.name}__isnull": True}).count()
        done = 0
        last_pk = None
        while True:
            rows = manager.exclude(**{f"{field.name}__isnull": True}).order_by("pk")
            if last_pk is not None:
                rows = rows.filter(pk__gt=last_pk)
            page = list(rows.values_list("pk", field.name)[:batch])
            if not page:
                break
            for pk, plaintext in page:
                # update() runs the field's encryption with the (new) active key.
                manager.filter(pk=pk).update(**{field.name: plaintext})
                count += 1
            last_pk = page[-1][0]
            done += len(page)
            if progress:
                progress(f"{model._meta.label_lower}.{field.name}", done, total)
    for store in EXTRA_STORES:
        rows = list(store.iterate())
        for done, (handle, token) in enumerate(rows, start=1):
            plaintext = crypto.decrypt(token, context=store.context)
            store.rewrite(handle, crypto.encrypt(plaintext, context=store.context))
            count += 1
            if progress and (done % batch == 0 or done == len(rows)):
                progress(store.name, done, len(rows))
    return count


def rotate_keys(*, data_keys: bool = True, progress: Progress | None = None) -> RotationReport:
    """Re-wraps under the current master key and, unless told not to, moves every value to a
    fresh field key. Runs in one transaction: it all happens or none of it does."""
    with transaction.atomic():
        rewrapped = rewrap_data_keys()
        crypto.forget_keys()
        if not data_keys:
            active_id, _ = crypto.active_key("field")
            return RotationReport(rewrapped, 0, active_id, [])
        old = list(DataKey.objects.filter(purpose="field", retired_at__isnull=True))
        new = crypto.create_data_key("field")
        DataKey.objects.filter(pk__in=[k.pk for k in old]).update(retired_at=timezone.now())
        crypto.forget_keys()
        reencrypted = _reencrypt_fields(progress=progress)
    crypto.forget_keys()
    return RotationReport(rewrapped, reencrypted, new.key_id, [k.key_id for k in old])


def values_under(key_id: str) -> int:
    """How many stored values are still encrypted with `key_id`."""
    count = 0
    pattern = f"{crypto.PREFIX}${key_id}$%"
    with connection.cursor() as cursor:
        for model, field in crypto.encrypted_fields():
            table = connection.ops.quote_name(model._meta.db_table)
            column = connection.ops.quote_name(field.column)
            cursor.execute(f"SELECT COUNT(*) FROM {table} WHERE {column} LIKE %s", [pattern])  # noqa: S608 - quoted names from the model registry
            count += cursor.fetchone()[0]
    for store in EXTRA_STORES:
        count += sum(1 for _, token in store.iterate() if crypto.key_id_of(token) == key_id)
    return count


def destroy_retired_keys() -> tuple[list[str], list[str]]:
    """Destroys retired field keys that no value uses. Returns (destroyed, still in use)."""
    destroyed, kept = [], []
    with transaction.atomic():
        for row in DataKey.objects.filter(purpose="field", retired_at__isnull=False):
            if values_under(row.key_id):
                kept.append(row.key_id)
            else:
                destroyed.append(row.key_id)
                row.delete()
    crypto.forget_keys()
    return destroyed, kept
