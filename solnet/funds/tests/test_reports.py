"""The funds' report: numbers checked against ones computed by hand, grants in words that name
nobody, donors named only with their consent, the public report only once published, and
the balance chart drawn on the server with its text alternative."""

from __future__ import annotations

from datetime import date

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from conftest import make_member, sign_in
from solnet.funds import reports
from solnet.funds.models import Books
from solnet.funds.tests.reporting import DONOR_NAMED, DONOR_SECRET, build_books

pytestmark = pytest.mark.django_db

UNTIL = date(2026, 3, 31)


@pytest.fixture
def books(personas):
    return build_books(personas["organizer"].member)


@pytest.fixture
def current_books(personas):
    """The same ledger, its three months ending last month (for the pages, which end today):
    the entry "after" them falls on the first of this month."""
    today = timezone.localdate()
    return build_books(personas["organizer"].member, base=reports.add_months(today, -3))


def test_the_monthly_report_matches_the_sums_done_by_hand(books):
    report = reports.monthly_report(books["strike"], months=3, until=UNTIL)
    assert (report.start, report.end) == (date(2026, 1, 1), UNTIL)
    assert report.opening == 10000
    months = [
        (m.month, m.money_in, m.money_out, m.moved, m.out_by_category, m.balance)
        for m in report.months
    ]
    assert months == [
        (date(2026, 1, 1), 25000, 4000, 0, [("Supplies", 4000)], 31000),
        (date(2026, 2, 1), 0, 30000, 5000, [("Grants", 30000)], 6000),
        # The mistaken donation and the corrected grant cancel out; fees remain.
        (date(2026, 3, 1), 0, 150, 0, [("Processor and bank fees", 150)], 5850),
    ]
    assert (report.total_in, report.total_out, report.total_moved) == (25000, 34150, 5000)
    assert report.closing == 5850
    # The report's closing balance is the ledger's own balance of the fund on that day.
    from solnet.funds import ledger

    assert ledger.fund_balance(books["strike"], until=UNTIL) == report.closing

    hardship = reports.monthly_report(books["hardship"], months=3, until=UNTIL)
    assert [(m.money_in, m.moved, m.balance) for m in hardship.months] == [
        (7000, 0, 7000),
        (0, -5000, 2000),
        (0, 0, 2000),
    ]


def test_grants_are_told_in_words_that_name_nobody(books, settings):
    report = reports.monthly_report(books["strike"], months=3, until=UNTIL)
    rent, bill = report.grants
    assert (rent.amount, rent.purpose, rent.corrected) == (30000, "rent", False)
    assert rent.sentence("USD", "en") == (
        "a grant of $300.00 for rent, decided on Jan. 30, 2026 by General meeting"
    )
    # Not decided by a proposal that can be found: no body, the entry's date.
    assert (bill.amount, bill.corrected) == (8000, True)
    assert (
        bill.sentence("USD", "en") == "a grant of $80.00 for utility bill, decided on March 7, 2026"
    )


def test_a_grant_is_told_in_the_language_asked_whatever_the_active_one(books):
    """The sentence's language is its argument's: a request in Spanish before (which leaves
    Spanish active in the thread) does not turn an English report Spanish."""
    rent = reports.monthly_report(books["strike"], months=3, until=UNTIL).grants[0]
    with translation.override("es"):
        assert rent.sentence("USD", "en").startswith("a grant of $300.00 for rent")
    spanish = rent.sentence("USD", "es")
    assert spanish.startswith("una ayuda de") and "alquiler" in spanish


def test_a_report_costs_a_few_queries_whatever_the_number_of_funds(
    books, django_assert_max_num_queries
):
    funds = [books["strike"], books["hardship"], books["closed"]]
    with django_assert_max_num_queries(5):
        found = reports.monthly_reports(funds, months=12, until=UNTIL)
    assert [r.closing for r in found] == [5850, 2000, 0]


def test_the_network_summary_has_every_open_fund(books):
    summary = reports.network_summary()
    # Today, every entry counts: the donation after the report's months too.
    assert summary.funds == [(books["hardship"], 2000), (books["strike"], 5850 + 99900)]
    assert summary.total == 2000 + 5850 + 99900


def test_members_read_a_funds_report_with_its_chart_and_table(current_books, personas):
    client = sign_in(Client(), personas["member"].member)
    url = reverse("funds:report", args=[current_books["strike"].public_id])
    response = client.get(url, {"months": "6"})
    assert response.status_code == 200
    page = response.content.decode()
    assert response.context["shown"]["report"].closing == 5850 + 99900
    assert len(response.context["shown"]["report"].months) == 6
    # The chart: drawn on the server, with a title and a description, and the table of the
    # same figures beside it; no script.
    assert '<svg viewBox="0 0 360 200" role="img"' in page
    assert '<title id="balance-title-1">The balance of Strike fund</title>' in page
    assert '<desc id="balance-desc-1">' in page
    assert "<caption" in page and "Month by month" in page
    assert "<script" not in page.split("</header>")[-1].split("<footer")[0]
    assert "A grant of $300.00 for rent, decided on Jan. 30, 2026 by General meeting" in page
    assert "$58.50" in page
    # Donors: only the one who chose to be named, and on their own fund's report.
    assert DONOR_SECRET not in page
    assert DONOR_NAMED not in page
    hardship = client.get(reverse("funds:report", args=[current_books["hardship"].public_id]))
    assert DONOR_NAMED in hardship.content.decode()
    assert DONOR_SECRET not in hardship.content.decode()


def test_a_wrong_months_value_falls_back_to_twelve(current_books, personas):
    client = sign_in(Client(), personas["member"].member)
    url = reverse("funds:report", args=[current_books["strike"].public_id])
    response = client.get(url, {"months": "100000"})
    assert response.status_code == 200
    assert len(response.context["shown"]["report"].months) == 12


def test_outsiders_and_supporters_do_not_reach_a_funds_report(current_books, personas):
    url = reverse("funds:report", args=[current_books["strike"].public_id])
    assert Client().get(url).status_code == 302
    supporter = sign_in(Client(), personas["supporter"].member)
    assert supporter.get(url).status_code == 404
    member = sign_in(Client(), personas["member"].member)
    assert member.get(reverse("funds:report", args=["no-such-fund"])).status_code == 404


def test_the_public_report_is_a_404_until_the_network_publishes_it(current_books):
    url = reverse("funds:public_report")
    assert Client().get(url).status_code == 404
    books = Books.current()
    books.publish_report = True
    books.save()
    response = Client().get(url)
    assert response.status_code == 200
    page = response.content.decode()
    # Every open fund, the closed one not at all.
    assert "Strike fund" in page and "Hardship fund" in page
    assert "Old bail fund" not in page
    assert "A grant of $300.00 for rent" in page
    # Two charts, their ids apart.
    assert 'id="balance-title-1"' in page and 'id="balance-title-2"' in page


def test_the_public_report_names_no_applicant_and_only_consenting_donors(current_books, personas):
    applicant, _secret = make_member("zebulon_applicant")
    books = Books.current()
    books.publish_report = True
    books.save()
    page = Client().get(reverse("funds:public_report")).content.decode()
    assert DONOR_NAMED in page
    assert DONOR_SECRET not in page
    assert applicant.display_name not in page
    # The proposal's title (which could name someone) is not shown; only its body and date.
    assert "A grant for rent to a member" not in page
    for persona in personas.values():
        if persona.member is not None:
            assert persona.member.display_name not in page


def test_the_public_report_names_a_council_by_its_kind_only(current_books):
    from solnet.democracy.models import BodyKind

    class FakeBody:
        kind = BodyKind.COUNCIL

        def __str__(self):
            return "Acme warehouse council"

    assert reports._body_name(FakeBody(), public=True) == "a council"
    assert reports._body_name(FakeBody(), public=False) == "Acme warehouse council"


def test_the_chart_puts_the_balance_where_it_belongs(books):
    report = reports.monthly_report(books["strike"], months=3, until=UNTIL)
    chart = reports.balance_chart(report, shown=str)
    values = [report.opening, *(m.balance for m in report.months)]
    # The highest balance is at the top, zero at the bottom line, x grows with time.
    ys = [point["y"] for point in chart["points"]]
    assert ys[values.index(max(values))] == min(ys)
    assert [line["label"] for line in chart["lines"]] == ["0", "31000"]
    xs = [point["x"] for point in chart["points"]]
    assert xs == sorted(xs) and len(xs) == 4


def test_the_report_reads_in_spanish(current_books, personas):
    """The months offered, the categories of what went out and each grant's purpose are in
    the reader's language, not in the English the books keep them in."""
    client = sign_in(Client(HTTP_ACCEPT_LANGUAGE="es"), personas["member"].member)
    client.cookies["django_language"] = "es"
    url = reverse("funds:report", args=[current_books["strike"].public_id])
    page = client.get(url, {"months": "12"}).content.decode()
    assert "los últimos 6 meses" in page and "the last 6 months" not in page
    assert "Ayudas:" in page and "Grants:" not in page
    assert "para alquiler, decidida el" in page and "for rent" not in page
