"""Runs a queued import of people in the foreground, the way the worker would: for an operator
whose worker is down, or who wants to watch a very large import."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from solnet.people.imports.writing import run_import
from solnet.people.models import ImportStatus, PersonImport


class Command(BaseCommand):
    help = "Run a queued import of people (by its public id) in this process."

    def add_arguments(self, parser):
        parser.add_argument(
            "public_id",
            help="The import's id, as in its page's address (put `--` before an id that "
            "begins with a dash)",
        )

    def handle(self, *args, **options):
        person_import = PersonImport.objects.filter(public_id=options["public_id"]).first()
        if person_import is None:
            raise CommandError("There is no such import.")
        if person_import.status != ImportStatus.QUEUED:
            raise CommandError(
                f"The import is {person_import.status}; only a queued import can be run. "
                "Restart a failed or interrupted one from its page first."
            )
        run_import(public_id=person_import.public_id)
        person_import.refresh_from_db()
        if person_import.status != ImportStatus.DONE:
            raise CommandError(f"The import {person_import.status}.")
        result = person_import.result
        self.stdout.write(
            f"Imported {person_import.total_rows} rows: {result['created']} people "
            f"recorded, {result['added_to_existing']} added to people already recorded, "
            f"{result['skipped_duplicates']} duplicates and {result['skipped']} rows with "
            "problems skipped."
        )
