"""The legal hand-off's sealed bundle, made by the worker once a second person approved it
(`solnet.defense.legal`): a PDF summary of the incident, its field notes as data — each
entry's words with their plain SHA-256, the photo's SHA-256 and the chain's seal — and the
photos and videos, in one ZIP written into a sealed file under its own key. The legal contact
then gets a link by email; its secret is kept only as a hash and it expires after
`LINK_DAYS`."""

from __future__ import annotations

import hashlib
import io
import json
import logging
import secrets
import zipfile
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from solnet.core import audit, sealed, tasks
from solnet.defense import field, footage
from solnet.defense.models import FieldEntry, LegalHandoff, Report
from solnet.network.models import Network

log = logging.getLogger(__name__)

LINK_DAYS = 14
STYLE = Path(__file__).parent / "bundle.css"


def _words_digest(entry: FieldEntry) -> str:
    """A plain SHA-256 of an entry's words, which anyone can recompute from the bundle."""
    canonical = json.dumps([entry.what or "", entry.names or ""], ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


def _entries_data(report: Report, entries: list[FieldEntry]) -> bytes:
    rows = [
        {
            "position": entry.position,
            "kind": entry.kind,
            "annotates": entry.annotates.position if entry.annotates_id else None,  # type: ignore[union-attr]
            "observed_at": entry.observed_at.isoformat(),
            "written_at": entry.written_at.isoformat(),
            "edited_at": entry.edited_at.isoformat() if entry.edited_at else None,
            "author": entry.author.display_name if entry.author else None,
            "what": entry.what,
            "names": entry.names,
            "audible": entry.audible or None,
            "media_sha256": entry.media_digest or None,
            "words_sha256": _words_digest(entry),
            "seal": entry.seal,
        }
        for entry in entries
    ]
    return json.dumps(
        {"incident": report.public_id, "entries": rows}, ensure_ascii=False, indent=2
    ).encode()


def _summary_pdf(report: Report, entries: list[FieldEntry], chain, language: str) -> bytes:
    from weasyprint import CSS, HTML  # imported here: only bundles and letters need Pango

    with translation.override(language):
        html = render_to_string(
            "defense/bundle_pdf.html",
            {
                "network": Network.objects.current(),
                "report": report,
                "verifications": report.verifications.select_related("verifier"),
                "observers": report.check_ins.select_related("member"),
                "entries": entries,
                "arrestees": report.arrestees.prefetch_related("court_dates"),
                "chain": chain,
                "made_at": timezone.now(),
                "language": language,
            },
        )
    return HTML(string=html, base_url=None).write_pdf(stylesheets=[CSS(filename=str(STYLE))])


def build_bundle(report: Report, language: str) -> bytes:
    """The bundle's bytes: summary.pdf, entries.json, and each entry's photo or video."""
    entries = list(
        FieldEntry.objects.filter(report=report)
        .select_related("author", "annotates", "media__file")
        .order_by("position")
    )
    chain = field.check_chain(report)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as bundle:
        bundle.writestr("summary.pdf", _summary_pdf(report, entries, chain, language))
        bundle.writestr("entries.json", _entries_data(report, entries))
        for entry in entries:
            media = getattr(entry, "media", None) if entry.media_digest else None
            if media is None or not sealed.downloadable(media.file):
                continue
            extension = footage.EXTENSIONS.get(media.content_type, "bin")
            bundle.writestr(
                f"media/entry-{entry.position}.{extension}",
                b"".join(sealed.read_chunks(media.file)),
            )
    return out.getvalue()


def _link_message(handoff: LegalHandoff, token: str) -> tuple[str, str]:
    link = settings.BASE_URL + reverse("defense:legal_bundle", args=[token])
    network = Network.objects.current()
    with translation.override(network.languages[0] if network.languages else None):
        subject = _("A sealed incident bundle from %(network)s") % {"network": network.name}
        body = _(
            "%(network)s hands you the notes of an incident, as a sealed bundle. It can be "
            "downloaded until %(until)s from: %(link)s — When you no longer need it kept, "
            "close the hand-off on that page."
        ) % {
            "network": network.name,
            "until": timezone.localtime(handoff.expires_at).strftime("%Y-%m-%d %H:%M"),
            "link": link,
        }
    return subject, body


def send_link(handoff: LegalHandoff) -> str:
    token = secrets.token_urlsafe(32)
    handoff.token_hash = hashlib.sha256(token.encode()).hexdigest()
    handoff.expires_at = timezone.now() + timedelta(days=LINK_DAYS)
    handoff.save(update_fields=["token_hash", "expires_at"])
    subject, body = _link_message(handoff, token)
    tasks.queue_mail(to=handoff.recipient or "", subject=subject, body=body)
    return token


def produce_bundle(handoff_id: int) -> None:
    """The worker writes the approved bundle into its sealed file and emails the link."""
    handoff = LegalHandoff.objects.select_related("report", "file").filter(pk=handoff_id).first()
    if handoff is None or handoff.file is None or handoff.closed_at is not None:
        return
    network = Network.objects.current()
    language = network.languages[0] if network.languages else settings.LANGUAGE_CODE
    try:
        data = build_bundle(handoff.report, language)
        with sealed.writing(handoff.file) as writer:
            writer.write(data)
    except Exception:
        log.exception("the legal bundle %s could not be made", handoff.public_id)
        sealed.mark_failed(handoff.file)
        return
    with transaction.atomic():
        sealed.mark_ready(handoff.file, size=writer.size, done=handoff.file.total)
        handoff.ready_at = timezone.now()
        handoff.save(update_fields=["ready_at"])
        send_link(handoff)
        audit.record("defense.handoff_sent", target=handoff.report, handoff=handoff.public_id)
