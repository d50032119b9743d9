"""Phone numbers read with libphonenumber in the network's country, kept in E.164, shown as
the reader's country writes them."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.template import Context, Template
from django.utils import translation

from solnet.core import phones
from solnet.core.crypto import blind_index
from solnet.network.models import Network

SAME_NUMBER = [
    "(206) 555-0100",
    "206-555-0100",
    "206.555.0100",
    "+1 206 555 0100",
    "1 206 555 0100",
]


@pytest.mark.parametrize("written", SAME_NUMBER)
def test_one_number_written_many_ways_reads_as_one(written):
    assert phones.read_phone(written, region="US") == "+12065550100"
    assert phones.index_form(written) == "+12065550100"


def test_every_way_of_writing_it_has_one_blind_index(network):
    indexes = {blind_index(w, context="t", normalizer="phone") for w in SAME_NUMBER}
    contacts = {blind_index(w, context="t", normalizer="contact") for w in SAME_NUMBER}
    assert len(indexes) == 1 and contacts == indexes


@pytest.mark.parametrize("bad", ["000000", "0000000000", "12", "abc", "555-2158", "+1 206 555", ""])
def test_what_is_not_a_phone_number_reads_as_none(bad):
    assert phones.read_phone(bad, region="US") is None


def test_a_local_number_is_completed_with_the_area_code_given():
    assert phones.read_phone("555-2158", region="US", area_code="253") == "+12535552158"
    # A number that has its own area code or country code keeps it.
    assert phones.read_phone("206-555-0100", region="US", area_code="253") == "+12065550100"
    assert phones.read_phone("+52 55 1234 5678", region="US", area_code="253") == "+525512345678"


def test_the_networks_country_reads_numbers_without_a_country_code(network):
    assert phones.read_phone("55 1234 5678") == "+15512345678"
    Network.objects.filter(pk=1).update(country="MX")
    phones.forget_region()
    assert phones.read_phone("55 1234 5678") == "+525512345678"
    assert phones.read_phone("(206) 555-0100") is None  # not a Mexican number
    assert phones.read_phone("+1 206 555 0100") == "+12065550100"


def test_numbers_are_shown_as_the_readers_country_writes_them(network):
    assert phones.show_phone("+12065550100") == "(206) 555-0100"
    assert phones.show_phone("+525512345678") == "+52 55 1234 5678"
    assert phones.show_phone("+525512345678", region="MX") == "55 1234 5678"
    assert phones.show_phone("12") == "12"  # kept as written: shown as written
    template = Template("{% load phones %}{{ n|phone }} {{ e|contact }} {{ p|contact }}")
    shown = template.render(Context({"n": "+12065550100", "e": "a@b.org", "p": "+442079460958"}))
    assert shown == "(206) 555-0100 a@b.org +44 20 7946 0958"


def test_a_number_that_cannot_be_read_is_refused_in_the_persons_language(network):
    assert phones.clean_phone(" (206) 555-0100 ") == "+12065550100"
    assert phones.clean_phone("") == ""
    with pytest.raises(ValidationError) as refused:
        phones.clean_phone("000000")
    assert "(201) 555-0123" in refused.value.messages[0]
    with translation.override("es"), pytest.raises(ValidationError) as refused:
        phones.clean_phone("12")
    assert refused.value.messages[0].startswith("Escribe")


@pytest.mark.django_db
def test_the_country_is_asked_once_a_minute_even_before_there_is_a_network(
    django_assert_max_num_queries,
):
    assert not Network.objects.exists()
    with django_assert_max_num_queries(1):
        for n in range(50):
            phones.index_form(f"206-555-{n:04d}")
