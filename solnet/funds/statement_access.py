"""Who reaches bank statements and bank mappings: the treasurers (`access.can_keep_books`),
like the rest of the books. Statement views reach them only through here."""

from __future__ import annotations

from django.db.models import QuerySet

from solnet.core.access import get_or_404
from solnet.funds.access import can_keep_books
from solnet.funds.models import BankMapping, Statement, StatementLine
from solnet.members.models import Member


def visible_statements(member: Member) -> QuerySet[Statement]:
    return Statement.objects.all() if can_keep_books(member) else Statement.objects.none()


def get_statement_or_404(member: Member, public_id: str) -> Statement:
    return get_or_404(visible_statements(member).select_related("account"), public_id=public_id)


def visible_lines(member: Member) -> QuerySet[StatementLine]:
    return StatementLine.objects.all() if can_keep_books(member) else StatementLine.objects.none()


def get_line_or_404(member: Member, public_id: str) -> StatementLine:
    return get_or_404(
        visible_lines(member).select_related("statement", "account"), public_id=public_id
    )


def visible_mappings(member: Member) -> QuerySet[BankMapping]:
    return BankMapping.objects.all() if can_keep_books(member) else BankMapping.objects.none()
