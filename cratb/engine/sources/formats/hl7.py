"""HL7 v2 ORU^R01 microbiology result messages, converted to long isolate rows.

A file holds one or more messages (each begins with an ``MSH`` segment; segments end
with a carriage return or a new line; ``FHS``/``BHS``/``BTS``/``FTS`` batch envelopes are
skipped). Messages are parsed with hl7apy, tolerantly; what each row takes:

| contract column | HL7 field |
|---|---|
| lab_id | MSH-4 sending facility |
| patient_id | PID-3 (first identifier) |
| patient_sex | PID-8 |
| patient_age | from PID-7 (birth date) and the sample date |
| departement | PID-11 postcode (component 5) |
| setting | PV1-2 patient class: I → hospital, O/E → community |
| sampled_on | SPM-17, else OBR-7 (observation date) |
| specimen | SPM-4, else OBR-15, translated (``UR``, ``urine`` → urine…), else the order |
|          | code OBR-4 (LOINC 630-4 urine culture, 600-7 blood culture) |
| isolate_id | OBR-3 filler order number (else OBR-2, else MSH-10), ``-``, OBX-4 sub-id |
| organism | the OBX of type CE/CWE naming a species (text, else code), one per sub-id |
| antibiotic | OBX-3 component 1 (a WHONET code or the lab's own code) of each OBX |
|            | with an interpretation in OBX-8, or with a WHONET code in OBX-3 |
| sir | OBX-8 interpretation: S, I, R (MS → I, VS → S) |
| esbl | an OBX whose code is ``ESBL`` or ``BLSE``, value Y/N/POS/NEG |

A susceptibility OBX belongs to the organism with its OBX-4 sub-id, else to the one
named by its panel's OBR-26 (parent result), else to the message's only organism.
Rows point back to their place ("message 3 (MSH-10 …), segment 7 OBX"). A message that
cannot be read, has no organism, or no susceptibility result (typically a message cut
short) gives one rejected row saying so.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
from hl7apy.consts import VALIDATION_LEVEL
from hl7apy.exceptions import HL7apyException
from hl7apy.parser import parse_message

from cratb.engine import reference
from cratb.engine.reference.organisms import resolve_organism
from cratb.engine.sources.files import SourceFile
from cratb.engine.sources.formats.common import (
    ERROR,
    ESBL_VALUES,
    PLACE,
    SETTING_VALUES,
    SOURCE_ROW,
    SPECIMEN_VALUES,
    departement_from_postcode,
    translate,
)
from cratb.engine.sources.report import RefusedFile
from cratb.engine.sources.schema import kind_spec

__all__ = ["columns", "convert_hl7", "looks_like_hl7", "split_messages"]


def columns() -> tuple[str, ...]:
    """The converted table's columns: the isolates contract's (long layout), between the
    source row number and the place and error of each row."""
    return (SOURCE_ROW, *(c.name for c in kind_spec("isolates").columns), PLACE, ERROR)


SEGMENT_END = re.compile(r"\r\n|\r|\n")
ENVELOPE = ("FHS", "BHS", "BTS", "FTS")
INTERPRETATIONS = {"S": "S", "I": "I", "R": "R", "MS": "I", "VS": "S", "SDD": "I"}
ESBL_CODES = {"ESBL", "BLSE"}
# LOINC codes of "organism identified" observations.
ORGANISM_OBSERVATIONS = {"11475-1", "600-7", "630-4", "634-6", "6463-4", "43409-2", "41852-5"}
# The specimen an order code implies when OBR-15 and SPM-4 are empty (LOINC culture codes).
ORDER_SPECIMENS = {"630-4": "urine", "600-7": "blood"}


def looks_like_hl7(head: bytes) -> bool:
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    return text[:4] in (b"MSH|", b"FHS|", b"BHS|")


def _decode(raw: bytes) -> str:
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return raw.decode("cp1252", errors="replace")


def split_messages(text: str) -> list[list[str]]:
    """The messages of a file, each a list of segments (batch envelopes left out)."""
    messages: list[list[str]] = []
    for segment in SEGMENT_END.split(text):
        segment = segment.strip("\x0b\x1c \t")
        if not segment or segment[:3] in ENVELOPE:
            continue
        if segment.startswith("MSH") or not messages:
            messages.append([])
        messages[-1].append(segment)
    return messages


@dataclass
class _Fields:
    """A segment's fields (ER7 text) by position, with the message's separators."""

    name: str
    values: dict[int, str]
    component: str
    repetition: str

    def get(self, number: int, component: int = 1) -> str | None:
        value = self.values.get(number)
        if not value:
            return None
        value = value.split(self.repetition)[0]
        parts = value.split(self.component)
        text = parts[component - 1].strip() if len(parts) >= component else ""
        return text or None

    def whole(self, number: int) -> str | None:
        return self.values.get(number) or None


@dataclass
class _Isolate:
    sub_id: str
    organism: str | None
    esbl: str | None = None


@dataclass
class _Order:
    filler: str | None
    sampled: str | None
    specimen: str | None
    parent_sub_id: str | None = None


@dataclass
class _Message:
    number: int
    control_id: str | None = None
    lab_id: str | None = None
    patient_id: str | None = None
    birth: str | None = None
    sex: str | None = None
    departement: str | None = None
    setting: str | None = None
    orders: list[_Order] = field(default_factory=list)
    isolates: dict[str, _Isolate] = field(default_factory=dict)
    results: list[tuple[int, _Order | None, str | None, str, str | None]] = field(
        default_factory=list
    )  # (segment number, order, sub-id, code, interpretation)

    def place(self, segment: int | None = None, name: str = "") -> str:
        text = f"message {self.number}"
        if self.control_id:
            text += f" (MSH-10 {self.control_id})"
        if segment is not None:
            text += f", segment {segment} {name}".rstrip()
        return text


def _hl7_date(value: str | None) -> str | None:
    """``YYYYMMDD[HHMM…]`` → ISO date text (left as written when it is not one)."""
    if not value:
        return None
    digits = value.strip()
    if re.fullmatch(r"\d{8}(\d{2,})?([.+-].*)?", digits):
        return f"{digits[:4]}-{digits[4:6]}-{digits[6:8]}"
    return digits


def _age(birth: str | None, sampled: str | None) -> str | None:
    try:
        born = dt.date.fromisoformat(birth or "")
        day = dt.date.fromisoformat(sampled or "")
    except ValueError:
        return None
    years = day.year - born.year - ((day.month, day.day) < (born.month, born.day))
    return str(years)


def _segments(message: list[str]) -> Iterator[tuple[int, _Fields]]:
    """Parse one message with hl7apy and yield its segments (1-based number, fields)."""
    text = "\r".join(message)
    parsed = parse_message(
        text, find_groups=False, validation_level=VALIDATION_LEVEL.TOLERANT, force_validation=False
    )
    separators = parsed.msh.msh_2.value or "^~\\&"
    component = separators[0]
    repetition = separators[1] if len(separators) > 1 else "~"
    for number, segment in enumerate(parsed.children, start=1):
        values: dict[int, str] = {}
        for item in segment.children:
            position = int(item.name.split("_")[1])
            values.setdefault(position, item.value or "")
        yield number, _Fields(segment.name, values, component, repetition)


def _read(number: int, segments: list[str], whonet: set[str]) -> _Message:
    message = _Message(number=number)
    order: _Order | None = None
    for position, seg in _segments(segments):
        if seg.name == "MSH":
            message.control_id = seg.get(10)
            message.lab_id = seg.get(4)
            kind = (seg.get(9, 1) or "", seg.get(9, 2) or "")
            if kind != ("ORU", "R01"):
                raise _MessageError(
                    f"message {'^'.join(k for k in kind if k) or 'sans type'} : seuls les"
                    " messages de résultats ORU^R01 sont lus"
                )
        elif seg.name == "PID":
            message.patient_id = seg.get(3)
            message.birth = _hl7_date(seg.get(7))
            message.sex = seg.get(8)
            message.departement = departement_from_postcode(seg.get(11, 5))
        elif seg.name == "PV1":
            message.setting = translate(seg.get(2), SETTING_VALUES)
        elif seg.name == "OBR":
            parent = seg.get(26, 2)
            order = _Order(
                filler=seg.get(3) or seg.get(2),
                sampled=_hl7_date(seg.get(7)),
                specimen=seg.get(15, 1) or seg.get(15, 2) or ORDER_SPECIMENS.get(seg.get(4) or ""),
                parent_sub_id=parent,
            )
            if parent is None or not message.orders:
                message.orders.append(order)
        elif seg.name == "SPM" and message.orders:
            top = message.orders[-1]
            top.specimen = seg.get(4, 2) or seg.get(4, 1) or top.specimen
            top.sampled = _hl7_date(seg.get(17)) or top.sampled
        elif seg.name == "OBX":
            _observation(message, order, position, seg, whonet)
    return message


def _observation(
    message: _Message, order: _Order | None, position: int, seg: _Fields, whonet: set[str]
) -> None:
    code = (seg.get(3, 1) or "").upper()
    sub_id = seg.get(4)
    value_type = (seg.get(2) or "").upper()
    interpretation = seg.get(8)
    if code in ESBL_CODES or (seg.get(3, 2) or "").upper() in ESBL_CODES:
        target = message.isolates.get(sub_id or "") or _only(message)
        if target is not None:
            target.esbl = translate(seg.get(5), ESBL_VALUES)
        return
    if value_type in ("CE", "CWE") and not interpretation:
        text = seg.get(5, 2) or seg.get(5, 1)
        if code in ORGANISM_OBSERVATIONS or (text and resolve_organism(text)):
            key = sub_id or str(len(message.isolates) + 1)
            message.isolates[key] = _Isolate(sub_id=key, organism=text)
            return
    if interpretation or code in whonet:
        sir = INTERPRETATIONS.get((interpretation or "").upper(), interpretation)
        message.results.append((position, order, sub_id, code, sir))


def _only(message: _Message) -> _Isolate | None:
    return next(iter(message.isolates.values())) if len(message.isolates) == 1 else None


class _MessageError(ValueError):
    pass


def _rows(message: _Message) -> list[dict[str, object]]:
    base = {
        "patient_id": message.patient_id,
        "setting": message.setting,
        "departement": message.departement,
        "lab_id": message.lab_id,
        "patient_sex": message.sex,
    }
    if not message.orders:
        return [_error(message, "message incomplet : aucune demande d'examen (segment OBR)")]
    if not message.isolates:
        return [_error(message, "message sans germe identifié (OBX de type CE/CWE)")]
    if not message.results:
        return [
            _error(
                message,
                "message incomplet : aucun résultat d'antibiogramme (OBX avec interprétation"
                " S/I/R) ; message tronqué ?",
            )
        ]
    rows: list[dict[str, object]] = []
    main = message.orders[0]
    for position, order, sub_id, code, sir in message.results:
        isolate = message.isolates.get(sub_id or "")
        if isolate is None and order is not None and order.parent_sub_id:
            isolate = message.isolates.get(order.parent_sub_id)
        isolate = isolate or _only(message)
        if isolate is None:
            rows.append(
                _error(
                    message,
                    "résultat rattaché à aucun germe (OBX-4 ou OBR-26 sans germe correspondant)",
                    position,
                )
            )
            continue
        sampled = main.sampled
        rows.append(
            {
                **base,
                SOURCE_ROW: message.number,
                "isolate_id": f"{main.filler or message.control_id}-{isolate.sub_id}",
                "sampled_on": sampled,
                "specimen": translate(main.specimen, SPECIMEN_VALUES, other="other"),
                "organism": isolate.organism,
                "antibiotic": code or None,
                "sir": sir,
                "esbl": isolate.esbl,
                "patient_age": _age(message.birth, sampled),
                PLACE: message.place(position, "OBX"),
                ERROR: None,
            }
        )
    return rows


def _error(message: _Message, reason: str, position: int | None = None) -> dict[str, object]:
    return {
        SOURCE_ROW: message.number,
        PLACE: message.place(position, "OBX" if position else ""),
        ERROR: reason,
    }


def convert_hl7(path: Path, *, workdir: Path) -> SourceFile:
    """Long rows of an HL7 v2 file, as a Parquet file in ``workdir``."""
    raw = path.read_bytes()
    if not raw.strip():
        raise RefusedFile(f"fichier vide : {path}")
    messages = split_messages(_decode(raw))
    if not messages or not messages[0][0].startswith("MSH"):
        raise RefusedFile(f"{path} : fichier HL7 v2 attendu (chaque message commence par MSH)")
    whonet = {a.whonet for a in reference.antibacterials().values() if a.whonet}
    rows: list[dict[str, object]] = []
    for number, segments in enumerate(messages, start=1):
        try:
            message = _read(number, segments, whonet)
        except _MessageError as exc:
            rows.append(_error(_Message(number=number), str(exc)))
            continue
        except (HL7apyException, ValueError, IndexError, AttributeError) as exc:
            text = str(exc).strip().splitlines()
            reason = text[0] if text else type(exc).__name__
            rows.append(_error(_Message(number=number), f"message HL7 illisible : {reason}"))
            continue
        rows.extend(_rows(message))
    names = columns()
    table = pa.table(
        {
            name: pa.array(
                [r.get(name) for r in rows], type=pa.int64() if name == SOURCE_ROW else pa.string()
            )
            for name in names
        }
    )
    out = workdir / "converted.parquet"
    pq.write_table(table, out)
    return SourceFile(
        original=path,
        readable=out,
        format="parquet",
        sha256=hashlib.sha256(raw).hexdigest(),
        encoding=None,
        delimiter=None,
        columns=names,
        layout="hl7",
        ignored=(),
    )
