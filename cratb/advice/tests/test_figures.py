"""Figures: definitions checked on a small hand-made set, exports, constant query counts."""

from __future__ import annotations

import csv
import io
import re
from datetime import datetime, timedelta
from typing import Any

import pytest
from django.db import connection
from django.db.models import Field
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from cratb.accounts.models import User
from cratb.advice import codes
from cratb.advice.figures import dimensions, percentile, year_figures
from cratb.advice.models import AdviceRequest, Status, Survey
from cratb.advice.tests.factories import AdviceRequestFactory
from cratb.advice.workdays import PARIS
from cratb.network.models import Territory

pytestmark = pytest.mark.django_db


def at(month: int, day: int, hour: int = 10) -> datetime:
    return datetime(2024, month, day, hour, tzinfo=PARIS)


def make(
    departement: Territory, *, received: datetime, answer_hours: float | None, **extra: Any
) -> AdviceRequest:
    fields: dict[str, Any] = {
        "departement": departement,
        "received_at": received,
        "due_at": received + timedelta(hours=24),
        "status": Status.OPEN,
    }
    if answer_hours is not None:
        fields["first_answer_at"] = received + timedelta(hours=answer_hours)
        fields["status"] = Status.ANSWERED
        fields["answer_critical"] = extra.pop("answer_critical", False)
    fields.update(extra)
    return AdviceRequestFactory.create(**fields)


@pytest.fixture
def sample(departement: Territory) -> list[AdviceRequest]:
    """Five requests of 2024 and one of 2023 (not counted)."""
    rows = [
        make(
            departement, received=at(1, 8), answer_hours=1, channel="phone", context_critical=True
        ),
        make(
            departement,
            received=at(1, 9),
            answer_hours=2,
            setting="nursing_home",
            context_critical=True,
            answer_critical=True,
        ),
        make(departement, received=at(2, 5), answer_hours=4),
        make(departement, received=at(2, 6), answer_hours=30),  # late
        make(departement, received=at(3, 4), answer_hours=None),  # still open, past due
    ]
    make(departement, received=datetime(2023, 12, 31, 23, tzinfo=PARIS), answer_hours=1)
    AdviceRequestFactory.create(
        departement=departement, status=Status.UNCONFIRMED, received_at=None, due_at=None
    )
    Survey.objects.create(request=rows[0], followed="yes", outcome="cured")
    Survey.objects.create(request=rows[1], followed="partly", outcome="cured")
    Survey.objects.create(request=rows[2], followed="no", outcome="worse")
    return rows


def test_percentile_matches_postgresql_percentile_cont() -> None:
    assert percentile([1, 2, 4, 30], 0.5) == 3.0
    assert percentile([1, 2, 4, 30], 0.9) == pytest.approx(4 + 0.7 * 26)
    assert percentile([5], 0.9) == 5.0
    assert percentile([], 0.5) is None


def test_year_summary_follows_the_documented_definitions(sample: list[AdviceRequest]) -> None:
    figures = year_figures(2024, dimension="channel")
    s = figures.summary
    assert s.total == 5
    assert s.answered == 4
    assert s.median_hours == pytest.approx(3.0)
    assert s.p90_hours == pytest.approx(4 + 0.7 * 26)
    # answered in time: 3 of 5 judged (the late one and the open past-due one fail)
    assert (s.within_target.numerator, s.within_target.denominator) == (3, 5)
    assert (s.followed.numerator, s.followed.denominator) == (2, 3)
    # critical context: two answered; one answer recommended none
    assert (s.avoided_critical.numerator, s.avoided_critical.denominator) == (1, 2)
    by_channel = {row.code: row.measures.total for row in figures.breakdown}
    assert by_channel == {"web": 4, "phone": 1}


def test_series_per_month_and_week(sample: list[AdviceRequest]) -> None:
    months = year_figures(2024, dimension="setting", period="month").series
    assert len(months.periods) == 12
    assert [months.total(p) for p in months.periods[:4]] == [2, 2, 1, 0]
    assert months.counts[months.periods[0]] == {"community": 1, "nursing_home": 1}
    weeks = year_figures(2024, dimension="syndrome", period="week").series
    assert sum(weeks.total(p) for p in weeks.periods) == 5
    assert weeks.periods[0].weekday() == 0


def test_territory_and_team_dimensions(sample: list[AdviceRequest]) -> None:
    assert [r.label for r in year_figures(2024, dimension="territory").breakdown] == ["Paris"]
    assert [r.label for r in year_figures(2024, dimension="team").breakdown] == ["non renseigné"]


def test_page_and_exports(client: Client, coordinator: User, sample: list[AdviceRequest]) -> None:
    client.force_login(coordinator)
    page = client.get(reverse("advice:figures") + "?annee=2024&par=channel")
    assert page.status_code == 200
    text = page.content.decode()
    assert "<svg" in text and "Formulaire en ligne" in text
    assert "60,0 %" in text  # within target
    response = client.get(reverse("advice:figures-csv") + "?annee=2024&par=channel")
    # The French dialect: semicolons, decimal comma, a byte-order mark.
    text = response.content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert rows[0][:3] == ["channel", "libelle", "demandes"]
    assert rows[-1][:4] == ["total", "Total", "5", "4"]
    assert rows[-1][6] == "60,0"
    series = client.get(reverse("advice:figures-csv") + "?annee=2024&par=channel&table=series")
    lines = series.content.decode("utf-8-sig").splitlines()
    assert lines[1] == "2024-01-01;web;Formulaire en ligne;1"
    xlsx = client.get(reverse("advice:figures-xlsx") + "?annee=2024")
    book = load_workbook(io.BytesIO(xlsx.content))
    assert book.sheetnames == ["synthese", "series"]
    assert book["synthese"].cell(row=1, column=3).value == "demandes"
    synthese = book["synthese"]
    assert synthese.cell(row=synthese.max_row, column=7).value == 60.0  # a number


def test_figures_are_cached_until_a_request_changes(
    client: Client, coordinator: User, sample: list[AdviceRequest], django_assert_num_queries: Any
) -> None:
    client.force_login(coordinator)
    url = reverse("advice:figures") + "?annee=2024"
    client.get(url)
    first = client.get(url).content.decode()
    assert "<strong>5</strong>" in first
    make(sample[0].departement, received=at(4, 1), answer_hours=1)
    assert "<strong>6</strong>" in client.get(url).content.decode()


@pytest.mark.parametrize(
    "url_name", ["advice:inbox", "advice:figures", "advice:request-detail", "advice:my-requests"]
)
def test_queries_per_page_do_not_grow_with_the_number_of_requests(
    url_name: str,
    client: Client,
    coordinator: User,
    requester: User,
    departement: Territory,
    django_capture_on_commit_callbacks: Any,
) -> None:
    from django.core.cache import cache
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    user = requester if url_name == "advice:my-requests" else coordinator
    client.force_login(user)

    def add(n: int) -> AdviceRequest:
        last = None
        for i in range(n):
            last = make(
                departement,
                received=at(1 + i % 12, 1 + i % 27),
                answer_hours=(i % 5) or None,
                requester=requester,
                syndrome=codes.Syndrome.values[i % len(codes.Syndrome.values)],
            )
        assert last is not None
        return last

    def counted() -> int:
        target = AdviceRequest.objects.order_by("-pk").first()
        assert target is not None
        url = (
            reverse(url_name, args=[target.pk])
            if url_name == "advice:request-detail"
            else reverse(url_name)
        )
        if url_name == "advice:figures":
            url += "?annee=2024"
        client.get(url)  # warm: the « viewed » event of the request page
        cache.clear()  # figures computed, not read from the cache
        with CaptureQueriesContext(connection) as context:
            assert client.get(url).status_code == 200
        return len(context.captured_queries)

    add(3)
    small = counted()
    add(60)
    large = counted()
    assert small == large


def _chart_numbers(svg: str) -> list[str]:
    import xml.etree.ElementTree as ET

    root = ET.fromstring(svg)  # noqa: S314 - the page under test
    ns = "{http://www.w3.org/2000/svg}"
    return [
        "".join(t.itertext())
        for g in root.iter(f"{ns}g")
        if "value_labels" in g.get("class", "")
        for t in g.iter(f"{ns}text")
    ]


def test_the_charts_write_the_tables_numbers(
    client: Client, coordinator: User, sample: list[AdviceRequest]
) -> None:
    """The bars' counts are the breakdown table's « Demandes » column; the stacked bars'
    totals are the series table's « Total » column; months read « janv. 2024 »."""
    import re

    client.force_login(coordinator)
    page = client.get(reverse("advice:figures") + "?annee=2024&par=setting").content.decode()
    svgs = re.findall(r'<svg[^>]*class="chart chart--wide".*?</svg>', page, re.S)
    assert len(svgs) == 2
    bars, stacked = (_chart_numbers(svg) for svg in svgs)
    tables = re.findall(r"<tbody>.*?</tbody>", page, re.S)
    demandes = [
        re.findall(r'<td class="num">([^<]*)</td>', row)[0]
        for row in re.findall(r"<tr>.*?</tr>", tables[0], re.S)
    ]
    totals = [
        re.findall(r'<td class="num">([^<]*)</td>', row)[-1]
        for row in re.findall(r"<tr>.*?</tr>", tables[1], re.S)
    ]
    assert bars == demandes == ["4", "1"]
    assert stacked == [t for t in totals if t != "0"] == ["2", "2", "1"]
    assert ">janv. 2024<" in svgs[1] and '<th scope="row">janv. 2024</th>' in page
    assert 'role="img"' in svgs[0] and "chart chart--narrow" in page


@pytest.mark.parametrize("dimension", sorted(dimensions(detailed=True)))
def test_the_year_index_holds_every_request_column_the_figures_read(
    dimension: str, sample: list[AdviceRequest]
) -> None:
    """On PostgreSQL the figures of a year are read from the index on ``received_at``
    alone (issue #19): a column they read that the index lacks sends every request of the
    year back to the table."""
    index = next(i for i in AdviceRequest._meta.indexes if i.name == "advice_received_cover")
    covered = {
        field.column
        for name in (*index.fields, *index.include)
        if isinstance(field := AdviceRequest._meta.get_field(name), Field)
    }
    with CaptureQueriesContext(connection) as queries:
        year_figures(2024, dimension=dimension, period="month")
    read: set[str] = set()
    for query in queries.captured_queries:
        sql = query["sql"]
        read |= set(re.findall(r'"advice_advicerequest"\."(\w+)"', sql))
        if 'FROM "advice_advicerequest" U0' in sql:
            read |= set(re.findall(r'\bU0\."(\w+)"', sql))
    assert {"received_at", "first_answer_at"} <= read
    assert read <= covered, sorted(read - covered)


def test_overdue_list_names_each_late_open_request(
    client: Client, coordinator: User, ema_responder: User, departement: Territory
) -> None:
    """The figures page lists the open requests past their target time, most overdue
    first: link, département, due time in Paris time, who holds it (full name, else the
    user name), every text escaped; answered or waiting requests and those still in time
    are left out, and the heading goes when none is late."""
    client.force_login(coordinator)
    url = reverse("advice:figures")
    assert "hors délai" not in client.get(url).content.decode()
    now = timezone.now()
    ema_responder.first_name, ema_responder.last_name = "Anne <b>", "Simon"
    ema_responder.save()
    late = make(
        departement, received=now - timedelta(days=3), answer_hours=None, assignee=ema_responder
    )
    later = make(departement, received=now - timedelta(days=2), answer_hours=None)
    AdviceRequest.objects.filter(pk=late.pk).update(due_at=now - timedelta(days=2, hours=1))
    AdviceRequest.objects.filter(pk=later.pk).update(due_at=now - timedelta(hours=1))
    make(departement, received=now - timedelta(days=4), answer_hours=2)  # answered
    waiting = make(departement, received=now - timedelta(days=4), answer_hours=None)
    AdviceRequest.objects.filter(pk=waiting.pk).update(status=Status.WAITING)
    make(departement, received=now, answer_hours=None)  # still in time
    text = client.get(url).content.decode()
    items = re.findall(r"<li><a href=\"(/conseil/demandes/\d+/)\">(.*?)</li>", text)
    late_due = timezone.localtime(now - timedelta(days=2, hours=1), PARIS)
    assert items == [
        (
            f"/conseil/demandes/{late.pk}/",
            f"Demande n° {late.pk:06d}</a> — {departement.code} — attendue avant le "
            f"{late_due:%d/%m/%Y %H:%M} — Anne &lt;b&gt; Simon",
        ),
        (
            f"/conseil/demandes/{later.pk}/",
            f"Demande n° {later.pk:06d}</a> — {departement.code} — attendue avant le "
            f"{timezone.localtime(now - timedelta(hours=1), PARIS):%d/%m/%Y %H:%M}",
        ),
    ]
    assert "<h2>Demandes ouvertes hors délai</h2>" in text
    User.objects.filter(pk=ema_responder.pk).update(first_name="", last_name="")
    # A request changed: the list is drawn again.
    moved = timezone.now() + timedelta(seconds=1)
    AdviceRequest.objects.filter(pk=late.pk).update(updated_at=moved)
    assert f"attendue avant le {late_due:%d/%m/%Y %H:%M} — ema</li>" in (
        client.get(url).content.decode()
    )
