"""Demo content of issue #4: the other isolate layouts and the use of targeted reporting.

``write_samples`` writes, beside the demo's long isolates file:

- ``lab_codes.csv``: the codes of a lab whose software has its own antibiotic codes
  (``LBM-HL7-01``: AMOX, AUGM, CIPRO…), to load into the correspondence table;
- ``isolates_hl7.hl7``: that lab's results as HL7 v2 ORU^R01 messages;
- ``isolates_whonet.txt``: another lab's results as a WHONET-style export (tab-separated,
  WHONET field names and organism codes, test columns such as ``AMX_ND10``).

``load_samples`` loads the code table, imports both files (zero rejection) and simulates
the adoption of targeted reporting: three town labs start sending the clinical situation
with their urine cultures in March, April and May, a growing share of them each month;
those isolates go through the targeted-reporting engine (``ast_targeted.csv``) and into
the warehouse log, so ``resistance.targeted_reporting`` has values to show. Everything is
deterministic for the demo's arguments and safe to run twice.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from cratb.engine import reference
from cratb.engine.demo.isolates import ECOLI, KPNEU, TOWN_PANEL, _enterobacterales
from cratb.engine.errors import EngineError

__all__ = ["DemoSampleError", "Samples", "load_samples", "write_samples"]

HL7_LAB = "LBM-HL7-01"
WHONET_LAB = "LBM-WHONET-01"
SAMPLE_ISOLATES = 60
# The HL7 lab's own codes for the town panel's agents.
LAB_CODES = {
    "AMX": "AMOX", "AMC": "AUGM", "MEC": "MECI", "TEM": "TEMO", "CXM": "CEFUR",
    "CFM": "CEFIX", "CTX": "CEFOTAX", "CAZ": "CEFTAZ", "FOS": "FOSFO", "NIT": "NITRO",
    "SXT": "BACTRIM", "OFX": "OFLO", "CIP": "CIPRO", "GEN": "GENTA", "ETP": "ERTA",
}  # fmt: skip
WHONET_ORGANISMS = {ECOLI: "eco", KPNEU: "kpn"}
# Adoption of targeted reporting: (month it starts, share of urine cultures sent with the
# clinical situation that month, growth per month) for the first three town labs.
ADOPTION = ((3, 0.25, 0.10), (4, 0.35, 0.10), (5, 0.30, 0.15))
CONTEXT_SHARES = {
    "simple_cystitis": 0.45,
    "complicated_cystitis": 0.25,
    "pyelonephritis": 0.08,
    "pregnancy": 0.04,
    "unknown": 0.18,
}


class DemoSampleError(EngineError, ValueError):
    """A demo sample that does not load; French, one line."""


@dataclass(frozen=True)
class Samples:
    lab_codes: Path
    hl7: Path
    whonet: Path
    departement: str


def _isolates(
    rng: np.random.Generator, n: int
) -> tuple[list[str], dict[str, np.ndarray], np.ndarray]:
    organisms = [ECOLI if x < 0.8 else KPNEU for x in rng.random(n)]
    results: dict[str, np.ndarray] = {ab: np.zeros(n, dtype=np.int8) for ab in TOWN_PANEL}
    esbl = np.zeros(n, dtype=bool)
    for name in (ECOLI, KPNEU):
        mask = np.array([o == name for o in organisms])
        marker, sir = _enterobacterales(rng, name, "community", int(mask.sum()))
        esbl[mask] = marker
        for ab in TOWN_PANEL:
            results[ab][mask] = sir[ab]
    return organisms, results, esbl


def write_samples(*, out_dir: Path, region_code: str, year: int, tag: str, seed: int) -> Samples:
    """Write the three sample files (deterministic for the arguments)."""
    rng = np.random.default_rng([seed, 4])
    departement = reference.departements_of(region_code)[0].code
    postcode = {"2A": "20000", "2B": "20200"}.get(departement, departement.ljust(5, "0"))
    codes = out_dir / "lab_codes.csv"
    codes.write_text(
        "lab_id,lab_code,whonet\n"
        + "".join(f"{HL7_LAB},{own},{whonet}\n" for whonet, own in LAB_CODES.items()),
        encoding="utf-8",
    )
    sir_letters = "SIR"
    n = SAMPLE_ISOLATES
    organisms, results, esbl = _isolates(rng, n)
    days = rng.integers(0, 365, n)
    ages = rng.integers(18, 90, n)
    female = rng.random(n) < 0.8
    messages = []
    for i in range(n):
        day = dt.date(year, 1, 1) + dt.timedelta(days=int(days[i]))
        born = day.replace(year=day.year - int(ages[i]), day=1)
        control = f"H{tag}{i + 1:05d}"
        segments = [
            f"MSH|^~\\&|SIL|{HL7_LAB}|CRATB|ARS|{day:%Y%m%d}1200||ORU^R01^ORU_R01|{control}|P|2.5",
            f"PID|1||PH{tag}{i + 1:05d}^^^LBM||||{born:%Y%m%d}|{'F' if female[i] else 'M'}"
            f"|||^^^^{postcode}",
            "PV1|1|O",
            f"OBR|1|CMD{i + 1}|ECBU-{control}|630-4^Culture urine^LN|||{day:%Y%m%d}0800",
            f"OBX|1|CWE|11475-1^Germe identifié^LN|1|^{organisms[i]}^SCT||||||F",
            f"OBX|2|ST|ESBL^BLSE^L|1|{'POS' if esbl[i] else 'NEG'}||||||F",
        ]
        for k, ab in enumerate(TOWN_PANEL, start=3):
            letter = sir_letters[int(results[ab][i])]
            segments.append(f"OBX|{k}|ST|{LAB_CODES[ab]}^{ab}^L|1|{letter}|||{letter}|||F")
        messages.append("\r".join(segments))
    hl7 = out_dir / "isolates_hl7.hl7"
    hl7.write_text("\r\n".join(messages) + "\r\n", encoding="utf-8")

    organisms, results, esbl = _isolates(rng, n)
    days = rng.integers(0, 365, n)
    columns = ["LABORATORY", "PATIENT_ID", "SEX", "AGE", "SPEC_NUM", "ISOL_NUM", "SPEC_DATE",
               "SPEC_TYPE", "WARD_TYPE", "ORGANISM", "ESBL"]  # fmt: skip
    columns += [f"{ab}_ND" for ab in TOWN_PANEL]
    lines = ["\t".join(columns)]
    for i in range(n):
        day = dt.date(year, 1, 1) + dt.timedelta(days=int(days[i]))
        row = [
            WHONET_LAB, f"PW{tag}{i + 1:05d}", "f" if rng.random() < 0.8 else "m",
            str(int(rng.integers(18, 90))), f"W{tag}{i + 1:05d}", "1", f"{day:%d/%m/%Y}",
            "ur", "out", WHONET_ORGANISMS[organisms[i]], "+" if esbl[i] else "-",
        ] + [sir_letters[int(results[ab][i])] for ab in TOWN_PANEL]  # fmt: skip
        lines.append("\t".join(row))
    whonet = out_dir / "isolates_whonet.txt"
    whonet.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return Samples(lab_codes=codes, hl7=hl7, whonet=whonet, departement=departement)


def adoption_requests(isolates: pa.Table, *, seed: int) -> pa.Table:
    """The urine cultures of Enterobacterales that the adopting labs sent with a clinical
    situation: the rows of those isolates, with ``clinical_context``."""
    from cratb.engine.reference.organisms import ENTEROBACTERALES, organisms

    entero = [o.name for o in organisms().values() if o.group == ENTEROBACTERALES]
    urine = isolates.filter(
        pc.and_(
            pc.equal(isolates["specimen"], "urine"),
            pc.is_in(isolates["organism"], pa.array(entero)),
        )
    )
    town_labs = sorted({lab for lab in urine["lab_id"].to_pylist() if str(lab).startswith("LBM-")})[
        : len(ADOPTION)
    ]
    ids = pc.unique(urine["isolate_id"]).to_pylist()
    heads: dict[str, dict[str, object]] = {}
    for row in urine.select(["isolate_id", "lab_id", "sampled_on"]).to_pylist():
        heads.setdefault(row["isolate_id"], row)
    rng = np.random.default_rng([seed, 5])
    draws = rng.random(len(ids))
    contexts = list(CONTEXT_SHARES)
    weights = np.array(list(CONTEXT_SHARES.values()))
    picked = rng.choice(len(contexts), len(ids), p=weights / weights.sum())
    chosen: dict[str, str] = {}
    for k, iso in enumerate(ids):
        head = heads[iso]
        if head["lab_id"] not in town_labs:
            continue
        start, share, growth = ADOPTION[town_labs.index(head["lab_id"])]
        month = (
            head["sampled_on"].month
            if isinstance(head["sampled_on"], dt.date)
            else int(str(head["sampled_on"])[5:7])
        )
        if month >= start and draws[k] < min(0.9, share + growth * (month - start)):
            chosen[iso] = contexts[int(picked[k])]
    rows = urine.filter(pc.is_in(urine["isolate_id"], pa.array(list(chosen), type=pa.string())))
    return rows.append_column(
        "clinical_context",
        pa.array([chosen[i] for i in rows["isolate_id"].to_pylist()], type=pa.string()),
    )


def load_samples(
    samples: Samples,
    *,
    warehouse: Path,
    isolates_csv: Path,
    out_dir: Path,
    seed: int,
    rules_dir: Path | None = None,
    memory_limit: str | None = None,
) -> list[str]:
    """Load the code table, import the HL7 and WHONET files, run targeted reporting on the
    adopting labs' urine cultures; returns the lines to print (French). ``rules_dir``:
    the region's folder of targeted-reporting rules (``ast.rules``); ``memory_limit``:
    DuckDB's for the imports."""
    from cratb.engine.ast import log
    from cratb.engine.ast.batch import target_table, write_output
    from cratb.engine.ast.rules import load_rules
    from cratb.engine.sources import import_file, lab_codes

    lines = []
    saved = lab_codes.save(
        warehouse,
        lab_codes.parse_csv(samples.lab_codes.read_text(encoding="utf-8")),
        changed_by="cratb demo",
        note="codes du laboratoire de démonstration LBM-HL7-01",
    )
    lines.append(f"  codes des laboratoires : version {saved.version}, {len(saved.rows)} codes")
    for label, path, defaults in (
        ("isolats HL7", samples.hl7, {"setting": "community"}),
        ("isolats WHONET", samples.whonet, {"departement": samples.departement}),
    ):
        report = import_file(
            "isolates",
            path,
            warehouse=warehouse,
            report_path=path.with_name(path.name + ".report.json"),
            defaults=defaults,
            memory_limit=memory_limit,
        )
        state = "déjà chargé" if report.already_imported else "chargé"
        lines.append(
            f"  {label} ({path.name}) : {report.read} lignes lues, {report.accepted} acceptées,"
            f" {report.rejected} rejetées ({state})"
        )
        if report.rejected:
            raise DemoSampleError(
                f"{path} : {report.rejected} lignes de démonstration rejetées (voir"
                f" {path.name}.report.json)"
            )
    if log.has_source(warehouse, "demo"):
        lines.append("  rendus ciblés des laboratoires : déjà simulés")
        return lines
    table = pacsv.read_csv(
        isolates_csv,
        convert_options=pacsv.ConvertOptions(
            column_types={"departement": pa.string(), "patient_age": pa.string()}
        ),
    )
    requests = adoption_requests(table, seed=seed)
    rules = load_rules(rules_dir=rules_dir)
    result = target_table(requests, rules=rules, name="ast_requests")
    write_output(result.table, out_dir / "ast_targeted.csv")
    logged = log.append(warehouse, result.isolates, rules=rules, source="demo")
    lines.append(
        f"  rendus ciblés des laboratoires : {logged} ECBU passés par le moteur (ast_targeted.csv)"
    )
    return lines
