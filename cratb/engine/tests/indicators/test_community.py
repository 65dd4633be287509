"""Community indicators on the golden data set (golden.py), on DuckDB and on Spark.

Every expected number is worked out by hand in the comments from the rows of golden.py.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import duckdb
import pytest

from cratb.engine.backends import Session
from cratb.engine.indicators import IndicatorError, Query, compute
from cratb.engine.stats import Z95, Z998, wilson
from cratb.engine.tests.conftest import session_on
from cratb.engine.tests.indicators import golden

REL = 1e-12
YEAR_2024 = Query(date_from=date(2024, 1, 1), date_to=date(2024, 12, 31))


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return golden.build(tmp_path_factory.mktemp("golden"))


@pytest.fixture
def session(warehouse: Path, backend: str) -> Iterator[Session]:
    yield from session_on(warehouse, backend)


def rows(session: Session, indicator: str, query: Query | None = None) -> list[dict[str, Any]]:
    return compute(indicator, session, query).table.to_pylist()


def one(session: Session, indicator: str, query: Query | None = None) -> dict[str, Any]:
    (row,) = rows(session, indicator, query)
    return row


def test_did_of_a_leap_year(session: Session) -> None:
    row = one(session, "community.did", YEAR_2024)
    # 48 DDD; (1000 + 500) inhabitants × 366 days ÷ 1000 = 549.
    assert row["numerator"] == pytest.approx(48, rel=REL)
    assert row["denominator"] == pytest.approx(549, rel=REL)
    assert row["value"] == pytest.approx(48 / 549, rel=REL)


def test_did_by_departement_and_year_over_the_whole_range(session: Session) -> None:
    got = {
        (r["year"], r["departement"]): r
        for r in rows(session, "community.did", Query(by=("year", "departement")))
    }
    # 75 in 2024: D01 8 + D02 8 + D04 4 + D05 −4 (return) + D07 10 + D11 16 = 42 over 366.
    assert got[(2024, "75")]["value"] == pytest.approx(42 / 366, rel=REL)
    # 92 in 2024: D03 5 + D06 1 = 6 over 500 × 366 ÷ 1000 = 183.
    assert got[(2024, "92")]["value"] == pytest.approx(6 / 183, rel=REL)
    # 92 in 2025: D14 10 + D15 8 = 18 over 600 × 365 ÷ 1000 = 219.
    assert got[(2025, "92")]["value"] == pytest.approx(18 / 219, rel=REL)
    # 93 has no population: its patient (D09) is not counted anywhere.
    assert "93" not in {d for _, d in got}
    assert len(got) == 4


def test_did_without_by_uses_every_day_of_the_range(session: Session) -> None:
    row = one(session, "community.did")
    # Whole data range 2024-01-01 … 2025-12-31: 48 + 26 DDD over
    # (1500 × 366 + 1600 × 365) ÷ 1000 = 549 + 584 = 1133.
    assert row["numerator"] == pytest.approx(74, rel=REL)
    assert row["denominator"] == pytest.approx(1133, rel=REL)


def test_did_of_the_29th_of_february_month(session: Session) -> None:
    got = {r["month"]: r for r in rows(session, "community.did", Query(by=("month",)))}
    # February 2024 has 29 days: D03 5 DDD over 1500 × 29 ÷ 1000.
    assert got["2024-02"]["denominator"] == pytest.approx(43.5, rel=REL)
    assert got["2024-02"]["value"] == pytest.approx(5 / 43.5, rel=REL)
    assert got["2025-02"]["denominator"] == pytest.approx(1600 * 28 / 1000, rel=REL)
    assert len(got) == 24  # every month of the range, with or without dispensing


def test_a_return_nets_out_and_a_departement_without_dispensing_shows_zero(
    session: Session,
) -> None:
    march = Query(by=("departement",), date_from=date(2024, 3, 1), date_to=date(2024, 3, 31))
    got = {r["departement"]: r for r in rows(session, "community.did", march)}
    # D04 +1 box and D05 −1 box: 0 DDD in 75; nothing at all in 92.
    assert got["75"]["numerator"] == 0
    assert got["75"]["denominator"] == pytest.approx(31, rel=REL)
    assert got["92"]["numerator"] == 0
    assert got["92"]["value"] == 0


def test_population_of_a_year_not_yet_published_is_the_latest_one(session: Session) -> None:
    january_2026 = Query(date_from=date(2026, 1, 1), date_to=date(2026, 1, 31))
    row = one(session, "community.did", january_2026)
    # No population for 2026: the 2025 one (1600) is used, over 31 days.
    assert row["denominator"] == pytest.approx(1600 * 31 / 1000, rel=REL)
    assert row["numerator"] == 0


def test_did_by_atc_and_aware(session: Session) -> None:
    by_atc = {r["atc"]: r["numerator"] for r in rows(session, "community.did", Query(
        by=("atc",), date_from=date(2024, 1, 1), date_to=date(2024, 12, 31)))}  # fmt: skip
    assert by_atc == pytest.approx(
        {"J01CA04": 8.0, "J01CR02": 24.0, "J01MA02": 5.0, "J01XX01": 1.0, "J01EE01": 10.0},
        rel=REL,
    )
    by_aware = {
        r["aware"]: r["numerator"]
        for r in rows(session, "community.did", Query(by=("aware",), date_from=date(2024, 1, 1),
                                                       date_to=date(2024, 12, 31)))
    }  # fmt: skip
    # Oral fosfomycin is Watch (IV fosfomycin would be Reserve).
    assert by_aware == pytest.approx({"Access": 42.0, "Watch": 6.0}, rel=REL)


def test_prescriptions_per_1000_count_lines_once(session: Session) -> None:
    row = one(session, "community.prescriptions_per_1000", YEAR_2024)
    # 7 lines; 1500 × 366 ÷ 365 ÷ 1000 person-years (thousands).
    assert row["numerator"] == 7
    assert row["denominator"] == pytest.approx(1500 * 366 / 365 / 1000, rel=REL)
    assert row["value"] == pytest.approx(7 / (1500 * 366 / 365 / 1000), rel=REL)
    # 2025: the renewal D13 is the same line as D12; the unknown product D16 is left out.
    row = one(
        session,
        "community.prescriptions_per_1000",
        Query(date_from=date(2025, 1, 1), date_to=date(2025, 12, 31)),
    )
    assert row["numerator"] == 3


def test_access_share(session: Session) -> None:
    row = one(session, "community.access_share", YEAR_2024)
    # Access DDD: amoxicillin 8, amoxicillin-clavulanate 24, cotrimoxazole 10 = 42 of 48.
    assert row["numerator"] == pytest.approx(42, rel=REL)
    assert row["denominator"] == pytest.approx(48, rel=REL)
    assert row["value"] == pytest.approx(87.5, rel=REL)
    # DDD are not counts of events: no binomial interval.
    assert row["ci_low"] is None and row["ci_high"] is None


def test_critical_share_with_wilson_interval(session: Session) -> None:
    row = one(session, "community.critical_share", YEAR_2024)
    # Critical lines: D02 and D11 (amoxicillin-clavulanate), D03 (ciprofloxacin): 3 of 7.
    assert (row["numerator"], row["denominator"]) == (3, 7)
    assert row["value"] == pytest.approx(300 / 7, rel=REL)
    interval = wilson(3, 7)
    assert interval is not None
    low, high = interval
    assert row["ci_low"] == pytest.approx(100 * low, rel=1e-9)
    assert row["ci_high"] == pytest.approx(100 * high, rel=1e-9)


def test_wilson_interval_matches_newcombe() -> None:
    # Newcombe, Stat Med 1998;17:857-872, table I: 81/263 → 0.2553 to 0.3662.
    interval = wilson(81, 263)
    assert interval is not None
    low, high = interval
    assert (round(low, 4), round(high, 4)) == (0.2553, 0.3662)
    assert wilson(0, 0) is None


def test_prescriber_profile_against_peers(session: Session) -> None:
    got = {r["prescriber_id"]: r for r in rows(session, "community.prescriber_profile")}
    # The dentist's only line nets to zero: no J01 line, no row.
    assert set(got) == {"GP1", "GP2", "HOSP1"}
    gp1, gp2 = got["GP1"], got["GP2"]
    # GP1: D01, D02, D03, D09, D12, D14 = 6 lines (D09's patient lives outside the area but
    # the prescriber wrote it), 3 critical (D02, D03, D14). GP2: D06, D07, D08, D15 = 4
    # lines, 1 critical. General practice pools 4 of 10: 40 %.
    assert (gp1["numerator"], gp1["denominator"]) == (3, 6)
    assert (gp2["numerator"], gp2["denominator"]) == (1, 4)
    assert gp1["peer_share"] == pytest.approx(40, rel=REL)
    half = Z95 * (0.4 * 0.6 / 6) ** 0.5
    assert gp1["limit_95_low"] == pytest.approx(100 * (0.4 - half), rel=1e-9)
    assert gp1["limit_95_high"] == pytest.approx(100 * (0.4 + half), rel=1e-9)
    half = Z998 * (0.4 * 0.6 / 6) ** 0.5
    assert gp1["limit_998_high"] == pytest.approx(100 * min(1.0, 0.4 + half), rel=1e-9)
    assert gp1["excess_lines"] == pytest.approx(3 - 0.4 * 6, rel=1e-9)
    assert gp2["excess_lines"] == pytest.approx(1 - 0.4 * 4, rel=1e-9)
    assert gp1["outlier"] == "" and gp2["outlier"] == ""
    # DDD: D01 8 + D02 8 + D03 5 + D09 20 + D12 4 + D13 4 + D14 10 = 59.
    assert gp1["ddd"] == pytest.approx(59, rel=REL)
    assert gp1["volume_ratio"] == pytest.approx(6 / 5, rel=REL)
    assert (gp2["volume_percentile"], gp1["volume_percentile"]) == (0, 100)


def test_a_prescriber_far_above_peers_is_flagged(tmp_path: Path, backend: str) -> None:
    # 20 GPs with 1 critical line in 10, and one with 9 in 10: far above the funnel.
    lines = [golden.HEADER]
    n = 0
    for gp in range(21):
        critical = 9 if gp == 20 else 1
        for k in range(10):
            n += 1
            product = "AUG1G" if k < critical else "AMX500"
            lines.append(
                f"L{n},2024-05-02,RX{n},P{n},40,F,75,G{gp:02d},general_practice,{product},1,"
            )
    folder = tmp_path
    warehouse = folder / "w.duckdb"
    files = {"products": golden.PRODUCTS, "population": golden.POPULATION}
    files["dispensations"] = "\n".join(lines)
    from cratb.engine.sources import import_file

    for kind, text in files.items():
        path = folder / f"{kind}.csv"
        path.write_text("\n".join(x.strip() for x in text.strip().splitlines()) + "\n")
        import_file(kind, path, warehouse=warehouse)
    for session in session_on(warehouse, backend):
        got = {r["prescriber_id"]: r for r in rows(session, "community.prescriber_profile")}
    # Pooled share 29 / 210; the outlier's 90 % is far above the 99.8 % limit for n = 10.
    p0 = 29 / 210
    assert got["G20"]["outlier"] == "above_998"
    assert got["G20"]["excess_lines"] == pytest.approx(9 - p0 * 10, rel=1e-9)
    assert {r["outlier"] for k, r in got.items() if k != "G20"} == {""}


def test_the_specialty_key_changes_no_number(tmp_path: Path, backend: str) -> None:
    # The prescriber groupings and the cube of the lines use the specialty's integer key
    # when the warehouse stores it (sources/derived.py), the specialty's text in a warehouse
    # from before it: the same rows either way, a prescriber who wrote under two
    # specialties included.
    text = golden.DISPENSATIONS.strip() + (
        "\nD17,2024-05-02,RX14,P12,40,F,75,GP1,hospital,AUG1G,1,community"
    )
    files = {"products": golden.PRODUCTS, "population": golden.POPULATION}
    files["dispensations"] = text
    from cratb.engine.sources import import_file

    for kind, content in files.items():
        path = tmp_path / f"{kind}.csv"
        path.write_text("\n".join(x.strip() for x in content.strip().splitlines()) + "\n")
        import_file(kind, path, warehouse=tmp_path / "keys.duckdb")
    shutil.copy(tmp_path / "keys.duckdb", tmp_path / "text.duckdb")
    with duckdb.connect(str(tmp_path / "text.duckdb")) as con:
        con.execute("ALTER TABLE dispensations DROP COLUMN specialty_key")
        con.execute("DROP TABLE prescriber_specialties")
    asked = (
        ("community.prescriber_profile", Query()),
        ("community.prescriber_profile", Query(by=("year",))),
        ("community.did", Query(by=("prescriber_id", "prescriber_specialty", "year"))),
        ("community.critical_share", Query(by=("prescriber_specialty", "prescriber_id"))),
        # From the cube of the lines (grouped by the key too).
        ("community.did", Query(by=("prescriber_specialty", "month"))),
        ("community.access_share", Query(by=("prescriber_specialty", "setting"))),
        ("community.seasonal_variation", Query(by=("prescriber_specialty",))),
    )
    got = {}
    for name in ("keys", "text"):
        for session in session_on(tmp_path / f"{name}.duckdb", backend):
            assert session.has("prescriber_specialties") == (name == "keys")
            got[name] = [rows(session, indicator, query) for indicator, query in asked]
    assert got["keys"] == got["text"]
    profile = {(r["prescriber_id"], r["prescriber_specialty"]) for r in got["keys"][0]}
    assert profile == {
        ("GP1", "general_practice"),
        ("GP1", "hospital"),
        ("GP2", "general_practice"),
        ("HOSP1", "hospital"),
    }


def test_seasonal_variation(session: Session) -> None:
    row = one(session, "community.seasonal_variation", YEAR_2024)
    # Winter quarters (Jan–Mar, Oct–Dec 2024, 183 days): D01 8 + D02 8 + D03 5 + D04 4 +
    # D05 −4 + D11 16 = 37 DDD. Summer quarters (183 days): D06 1 + D07 10 = 11.
    assert row["year"] == 2024 and row["months"] == 12
    assert row["numerator"] == pytest.approx(37 / 183, rel=REL)
    assert row["denominator"] == pytest.approx(11 / 183, rel=REL)
    assert row["value"] == pytest.approx((37 / 11 - 1) * 100, rel=1e-9)


def test_change_against_a_baseline_year_and_its_trajectory(session: Session) -> None:
    query = Query(by=("year",), params={"baseline_year": 2024, "target_year": 2025})
    got = {r["year"]: r for r in rows(session, "community.did_change_vs_baseline", query)}
    did_2024, did_2025 = 48 / 549, 26 / 584
    assert got[2025]["numerator"] == pytest.approx(did_2025, rel=REL)
    assert got[2025]["denominator"] == pytest.approx(did_2024, rel=REL)
    assert got[2025]["value"] == pytest.approx((did_2025 / did_2024 - 1) * 100, rel=1e-9)
    assert got[2025]["target_change"] == pytest.approx(-25)
    assert got[2025]["on_track"] is True
    assert got[2024]["value"] == pytest.approx(0, abs=1e-9)


def test_change_against_a_missing_baseline_is_empty_and_said(session: Session) -> None:
    result = compute("community.did_change_vs_baseline", session, Query())
    assert all(r["value"] is None for r in result.table.to_pylist())
    assert any("2019" in w for w in result.warnings)


def test_nursing_home_consumption_per_resident_days(session: Session) -> None:
    row = one(session, "nursing_home.ddd_per_1000_resident_days", YEAR_2024)
    # D07: 2 boxes × 5 DDD to a nursing-home resident; 3660 resident-days of the nursing
    # home without a hospital pharmacy (the hospital's own nursing-home sector is left out).
    assert row["numerator"] == pytest.approx(10, rel=REL)
    assert row["denominator"] == pytest.approx(3.66, rel=REL)
    half_year = Query(date_from=date(2024, 1, 1), date_to=date(2024, 6, 30))
    row = one(session, "nursing_home.ddd_per_1000_resident_days", half_year)
    # Resident-days prorated: 3660 × 182 ÷ 366.
    assert row["denominator"] == pytest.approx(3.66 * 182 / 366, rel=REL)
    assert row["numerator"] == 0


def test_boxes_without_ddd_are_reported_never_counted_as_zero(session: Session) -> None:
    result = compute("community.did", session, Query())
    # SXTS (3 boxes, no WHO DDD) and UNKNOWN1 (4 boxes, not in the catalogue).
    assert any(w.startswith("3 boîtes") and "sans DDJ" in w for w in result.warnings)
    assert any(w.startswith("4 boîtes") and "absents du catalogue" in w for w in result.warnings)


@pytest.mark.parametrize(
    ("indicator", "query", "message"),
    [
        ("community.unknown", Query(), "indicateur inconnu"),
        ("community.did", Query(by=("organism",)), "non admise pour community.did"),
        ("community.access_share", Query(by=("aware",)), "non admise"),
        ("community.did", Query(params={"episode_days": 1}), "paramètre inconnu"),
        (
            "community.did",
            Query(date_from=date(2025, 2, 1), date_to=date(2025, 1, 1)),
            "période vide",
        ),
    ],
)
def test_requests_the_catalogue_cannot_answer(
    session: Session, indicator: str, query: Query, message: str
) -> None:
    with pytest.raises(IndicatorError, match=message):
        compute(indicator, session, query)


def test_years_without_any_data_are_left_out_not_counted_as_zero(
    tmp_path: Path, backend: str
) -> None:
    from cratb.engine.sources import import_file

    files = {
        "products": golden.PRODUCTS,
        "population": "year,departement,population\n2019,75,1000\n2025,75,1000\n",
        "dispensations": "\n".join(
            [
                golden.HEADER,
                "B1,2019-06-01,RX1,P1,30,F,75,GP1,general_practice,AMX500,1,",
                "B2,2025-06-01,RX2,P1,36,F,75,GP1,general_practice,AMX500,2,",
            ]
        ),
    }
    warehouse = tmp_path / "w.duckdb"
    for kind, text in files.items():
        path = tmp_path / f"{kind}.csv"
        path.write_text("\n".join(x.strip() for x in text.strip().splitlines()) + "\n")
        import_file(kind, path, warehouse=warehouse)
    for session in session_on(warehouse, backend):
        by_year = {r["year"]: r for r in rows(session, "community.did", Query(by=("year",)))}
        whole = one(session, "community.did")
        change = {
            r["year"]: r
            for r in rows(
                session, "community.did_change_vs_baseline", Query(params={"baseline_year": 2019})
            )
        }
    # Without --from/--to: the whole months from June 2019 to June 2025, but the years
    # without any data (2020 to 2024) are left out: June to December 2019 (214 days) and
    # January to June 2025 (181 days).
    assert set(by_year) == {2019, 2025}
    assert by_year[2019]["value"] == pytest.approx(4 / 214, rel=REL)
    assert by_year[2025]["denominator"] == pytest.approx(181, rel=REL)
    assert whole["denominator"] == pytest.approx(395, rel=REL)
    assert whole["value"] == pytest.approx(12 / 395, rel=REL)
    # 8 DDD over 181 days in 2025 against the baseline year's DID, over its whole calendar
    # year since the period holds only part of it: 4 DDD over 365 days.
    assert change[2025]["value"] == pytest.approx(((8 / 181) / (4 / 365) - 1) * 100, rel=1e-9)
    assert set(change) == {2019, 2025}
