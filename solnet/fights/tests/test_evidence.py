"""The evidence vault: sealed on disk, photos without their EXIF/GPS data, kinds found from the
bytes, a size cap, the fight team alone can read it, and it goes after the fight closes."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from conftest import sign_in, tiny_png
from solnet.core import sealed
from solnet.core.models import AuditEvent, SealedFile
from solnet.core.retention import purge_expired
from solnet.fights import evidence, services
from solnet.fights.models import Evidence, Fight

pytestmark = pytest.mark.django_db
GPS_TAG = 0x8825
ARTIST_TAG = 0x013B


def _photo_with_gps() -> bytes:
    image = Image.new("RGB", (64, 48), (10, 120, 200))
    exif = Image.Exif()
    exif[ARTIST_TAG] = "Antonio Ramirez"
    exif.get_ifd(GPS_TAG).update({1: "N", 2: (47.0, 36.0, 22.0), 3: "W", 4: (122.0, 19.0, 5.0)})
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif, comment=b"taken at 1400 Pine St")
    return out.getvalue()


def _upload(client, fight, data: bytes, name="IMG_0042 Antonio.jpg", label="Pay stub, March"):
    return client.post(
        reverse("fights:evidence_add", args=[fight.public_id]),
        {"label": label, "file": SimpleUploadedFile(name, data)},
    )


def test_a_photo_is_sealed_without_its_location_and_comes_back_to_the_team(objects):
    fight = objects["fight"]
    team = sign_in(Client(), objects["personas"]["fight_team"].member)
    photo = _photo_with_gps()
    assert b"Antonio Ramirez" in photo and b"1400 Pine St" in photo
    assert _upload(team, fight, photo).status_code == 302
    item = fight.evidence.last()
    assert item.label == "Pay stub, March"
    raw = sealed.path_of(item.file).read_bytes()
    assert b"Antonio" not in raw and b"JFIF" not in raw and b"Exif" not in raw  # sealed
    response = team.get(reverse("fights:evidence_download", args=[fight.public_id, item.public_id]))
    assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"
    assert "Antonio" not in response["Content-Disposition"]  # the upload's name is not kept
    back = b"".join(response.streaming_content)
    assert b"Antonio Ramirez" not in back and b"1400 Pine St" not in back
    with Image.open(io.BytesIO(back)) as image:
        assert image.size == (64, 48)
        exif = image.getexif()
        assert not exif.get_ifd(GPS_TAG) and ARTIST_TAG not in exif
    assert AuditEvent.objects.filter(action="fight.evidence_downloaded").exists()


def test_only_the_team_can_fetch_evidence_even_with_its_id(objects):
    item, fight = objects["evidence"], objects["fight"]
    url = reverse("fights:evidence_download", args=[fight.public_id, item.public_id])
    personas = objects["personas"]
    for name in ("organizer", "subject", "member", "dispatcher", "fund_committee"):
        assert sign_in(Client(), personas[name].member).get(url).status_code == 404
    # The right evidence id under another fight's id: 404 for the team of that other fight.
    other = Fight.objects.create(title="Other fight", issue_type="other")
    other.team.create(member=personas["organizer"].member, is_point_person=True)
    crossed = reverse("fights:evidence_download", args=[other.public_id, item.public_id])
    assert sign_in(Client(), personas["organizer"].member).get(crossed).status_code == 404
    assert Client().get(url).status_code == 302  # to sign in


def test_kinds_come_from_the_bytes_and_size_is_capped(objects, settings):
    fight = objects["fight"]
    team = sign_in(Client(), objects["personas"]["fight_team"].member)
    before = SealedFile.objects.count()
    script = _upload(team, fight, b"<script>alert(1)</script>", name="stub.jpg")
    assert script.status_code == 422 and b"PDF" in script.content
    empty = _upload(team, fight, b"", name="stub.png")
    assert empty.status_code == 422
    broken = _upload(team, fight, b"\x89PNG\r\n\x1a\n" + b"garbage" * 10)
    assert broken.status_code == 422
    big = _upload(team, fight, b"%PDF-1.7\n" + b"0" * (evidence.MAX_BYTES + 10))
    assert big.status_code == 422 and b"10 MB" in big.content
    no_label = _upload(team, fight, tiny_png(), label="")
    assert no_label.status_code == 422
    assert SealedFile.objects.count() == before and fight.evidence.count() == 1
    pdf = _upload(team, fight, b"%PDF-1.4\n%%EOF\n", name="lease.pdf", label="Lease")
    assert pdf.status_code == 302
    lease = fight.evidence.last()
    assert (lease.label, lease.content_type) == ("Lease", "application/pdf")


def test_an_upload_never_reaches_the_disk_in_clear(objects, settings, tmp_path):
    """Django would spill an upload over FILE_UPLOAD_MAX_MEMORY_SIZE to a temporary file."""
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 10
    settings.FILE_UPLOAD_TEMP_DIR = str(tmp_path)
    team = sign_in(Client(), objects["personas"]["fight_team"].member)
    assert _upload(team, objects["fight"], _photo_with_gps()).status_code == 302
    assert list(tmp_path.iterdir()) == []


def test_deleting_evidence_destroys_its_key_and_bytes(objects, django_capture_on_commit_callbacks):
    item, fight = objects["evidence"], objects["fight"]
    path = sealed.path_of(item.file)
    assert path.exists()
    team = sign_in(Client(), objects["personas"]["fight_team"].member)
    url = reverse("fights:evidence_delete", args=[fight.public_id, item.public_id])
    with django_capture_on_commit_callbacks(execute=True):
        assert team.post(url).status_code == 302
    assert not Evidence.objects.filter(pk=item.pk).exists()
    assert not SealedFile.objects.filter(pk=item.file_id).exists() and not path.exists()


def test_evidence_goes_the_networks_days_after_the_fight_closes(
    objects, network, django_capture_on_commit_callbacks
):
    network.evidence_days_after_close = 30
    network.save()
    item, fight = objects["evidence"], objects["fight"]
    path = sealed.path_of(item.file)
    Fight.objects.filter(pk=fight.pk).update(
        stage="won", closed_at=timezone.now() - timedelta(days=29)
    )
    assert "fights.Evidence" not in purge_expired()
    Fight.objects.filter(pk=fight.pk).update(closed_at=timezone.now() - timedelta(days=31))
    with django_capture_on_commit_callbacks(execute=True):
        assert purge_expired()["fights.Evidence"] == 1
    assert not Evidence.objects.exists() and not path.exists()


def test_the_label_is_nowhere_in_clear_in_the_database(objects):
    fight, uploader = objects["fight"], objects["personas"]["fight_team"].member
    item = services.add_evidence(
        fight=fight, data=b"%PDF-1.4\n%%EOF\n", label="Eviction notice Rosalind Okafor", by=uploader
    )
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM core_sealedfile WHERE id = %s", [item.file_id])
        file_row = cursor.fetchone()
        cursor.execute("SELECT * FROM fights_evidence WHERE id = %s", [item.pk])
        evidence_row = cursor.fetchone()
    for needle in ("Rosalind", "Okafor", "Eviction"):
        assert needle not in repr(file_row) and needle not in repr(evidence_row)
    # The team still downloads it under a name that says what it is.
    team = sign_in(Client(), uploader)
    response = team.get(reverse("fights:evidence_download", args=[fight.public_id, item.public_id]))
    assert response.status_code == 200
    assert response["Content-Disposition"] == (
        'attachment; filename="Eviction-notice-Rosalind-Okafor.pdf"'
    )
