"""Share of dispensed boxes with a DDD: the BDPM catalogue against Open Medic boxes."""

from __future__ import annotations

from pathlib import Path

import ibis
import pyarrow as pa
import pytest

from cratb.engine.intermediate.products import product_ddd
from cratb.engine.reference import tables
from cratb.engine.sources.opendata.bdpm import build_catalogue, read_bdpm_folder
from cratb.engine.sources.opendata.coverage import ddd_coverage
from cratb.engine.sources.opendata.open_medic import atc_by_cip13, read_open_medic
from cratb.engine.tests.sources.opendata import bdpm_files
from cratb.engine.tests.sources.opendata.open_medic_files import row, write_csv


@pytest.fixture
def products_and_boxes(tmp_path: Path) -> tuple[pa.Table, pa.Table]:
    rows = [
        row(cip13="3400930000001", atc="J01CA04", boxes="100"),  # DDD computed
        row(cip13="3400930000008", atc="J01CA04", boxes="30"),  # bottle given by its mass
        row(cip13="3400939999999", atc="J01CA04", boxes="20", label="AMOXICILLINE RETIREE"),
        row(cip13="3400930000010", atc="J01EE01", boxes="10"),  # co-trimoxazole: unit doses
        row(cip13="3400930000014", atc="J01EE01", boxes="10"),  # 800/160 mg: no WHO DDD
        row(cip13="3400930000013", atc="P01AB01", boxes="50"),  # metronidazole
        row(cip13="3400938888888", atc="N02BE01", boxes="1000"),  # paracetamol
        row(cip13="3400930000003", atc="J01CR02", boxes="40"),
        row(cip13="3400930000003", atc="J01CR02", boxes="-2", age="60"),  # returns
    ]
    year = read_open_medic(write_csv(tmp_path / "OPEN_MEDIC_2023.CSV", rows))
    mapping, _ = atc_by_cip13(year.accepted)
    bdpm = read_bdpm_folder(bdpm_files.write(tmp_path / "bdpm"))
    catalogue = build_catalogue(bdpm, atc_codes=mapping)
    products = product_ddd(ibis.memtable(catalogue.products), ibis.memtable(tables.ddd_table()))
    return products.to_pyarrow(), year.accepted


def test_share_of_j01_boxes_with_a_ddd(products_and_boxes: tuple[pa.Table, pa.Table]) -> None:
    coverage = ddd_coverage(*products_and_boxes)
    assert (coverage.boxes, coverage.boxes_with_ddd) == (208, 148)  # 100 + 10 + 40 - 2
    assert coverage.share == pytest.approx(100 * 148 / 208)
    reasons = coverage.by_reason.to_pylist()
    assert [(r["status"], r["cip13s"], r["boxes"]) for r in reasons] == [
        ("not_computable", 1, 30),
        ("unknown_product", 1, 20),
        ("not_computable", 1, 10),
    ]
    assert reasons[1]["reason"] == "produit absent du catalogue"
    assert "association" in reasons[2]["reason"]
    assert coverage.missing_products.to_pylist() == [
        {"cip13": "3400939999999", "atc": "J01CA04", "label": "AMOXICILLINE RETIREE", "boxes": 20}
    ]


def test_scope_adds_the_nitroimidazoles(products_and_boxes: tuple[pa.Table, pa.Table]) -> None:
    coverage = ddd_coverage(*products_and_boxes, scope=("J01", "P01AB"))
    assert (coverage.boxes, coverage.boxes_with_ddd) == (258, 198)


def test_no_boxes_no_share(products_and_boxes: tuple[pa.Table, pa.Table]) -> None:
    products, boxes = products_and_boxes
    coverage = ddd_coverage(products, boxes.slice(0, 0))
    assert (coverage.boxes, coverage.share) == (0, None)
