"""Bulk import and export of the directory: organisations, people, roles.

Files: CSV (comma or semicolon, UTF-8 or Latin-1/Windows-1252, detected) or Excel
(.xlsx, first sheet). Column names are case-insensitive; unknown columns are ignored.
Every row is validated; rejected rows keep their row number (the header is row 1, as
in a spreadsheet), column and reason, and ``read = accepted + rejected`` always holds.
A row is checked once, by the same code for the preview and the commit: its cells are
parsed, then the record it would write is validated as the model would be (lengths,
integer ranges, the model's own rules), so what the preview accepts the commit can
write. A CSV line with fewer or more fields than the header, or a spreadsheet row with
a value beyond the named columns, is refused as malformed.
The accepted rows are written in one transaction: all of them or, on any error, none.
A row equal to what the directory already holds is accepted and changes nothing, so
importing the same file twice writes nothing new. Exports use the same columns, so an
exported file can be edited and imported back.
"""

from __future__ import annotations

import copy
import csv
import datetime
import io
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import DatabaseError, transaction
from django.utils.translation import gettext as _

from cratb.engine import identifiers, reference
from cratb.network.models import (
    Organization,
    Practitioner,
    PractitionerRole,
    Profession,
    Territory,
)

MAX_ROWS = 20_000
KINDS = ("organizations", "practitioners", "roles")
#: Key of a row that did not have one cell per column (never a column name: it has a NUL).
MALFORMED = "\x00malformed"

COLUMNS: dict[str, tuple[str, ...]] = {
    "organizations": (
        "finess",
        "name",
        "kind",
        "category",
        "departement",
        "beds",
        "acute_beds",
        "ght",
        "commune",
        "address",
        "phone",
        "email",
    ),
    "practitioners": (
        "rpps",
        "last_name",
        "first_name",
        "profession",
        "specialty",
        "email",
        "phone",
        "listed",
    ),
    "roles": (
        "rpps",
        "email",
        "function",
        "organization_finess",
        "organization",
        "territory",
        "start",
        "end",
        "fte",
        "trained_on",
    ),
}
REQUIRED: dict[str, tuple[str, ...]] = {
    "organizations": ("name", "kind"),
    "practitioners": ("last_name", "first_name", "profession"),
    "roles": ("function", "start"),
}


class BulkFileError(ValueError):
    """A file that cannot be read at all; the message is French, on one line."""


@dataclass(frozen=True)
class Rejection:
    row: int
    column: str
    reason: str


@dataclass
class Report:
    kind: str
    read: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: list[Rejection] = field(default_factory=list)
    committed: bool = False

    @property
    def accepted(self) -> int:
        return self.read - len(self.rejected)


class RowError(ValueError):
    def __init__(self, column: str, reason: str) -> None:
        super().__init__(reason)
        self.column = column
        self.reason = reason


# --- reading -----------------------------------------------------------------------------


def read_table(content: bytes | Path, *, filename: str) -> list[dict[str, str]]:
    """The rows of a CSV or Excel file (bytes, or a file on disk) as dicts with lower-cased
    column names. Files are read row by row and refused as soon as they pass
    :data:`MAX_ROWS`: a large file never holds a web worker nor fills its memory."""
    if isinstance(content, Path):
        with content.open("rb") as stream:
            head = stream.read(4096)
        is_empty = not head.strip() and content.stat().st_size <= len(head)
    else:
        head, is_empty = content[:4096], not content.strip()
    if is_empty:
        raise BulkFileError(_("Le fichier est vide."))
    if filename.lower().endswith((".xlsx", ".xlsm")) or head[:4] == b"PK\x03\x04":
        rows = _read_excel(content)
    else:
        rows = _read_csv(content if isinstance(content, bytes) else content.read_bytes())
    if not rows:
        raise BulkFileError(_("Le fichier ne contient aucune ligne de données."))
    return rows


def _too_many() -> BulkFileError:
    return BulkFileError(
        _("Le fichier a plus de %(max)s lignes : découpez-le.") % {"max": MAX_ROWS}
    )


def _read_csv(content: bytes) -> list[dict[str, str]]:
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = content.decode("cp1252")
        except UnicodeDecodeError:
            text = content.decode("latin-1")
    if "\x00" in text:
        raise BulkFileError(_("Ce fichier n'est ni un CSV ni un classeur Excel (.xlsx)."))
    first = text.split("\n", 1)[0]
    delimiter = ";" if first.count(";") > first.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        names = [name.strip().lower() for name in next(reader)]
        rows: list[dict[str, str]] = []
        for line in reader:
            if not any(cell.strip() for cell in line):
                continue
            if len(rows) == MAX_ROWS:
                raise _too_many()
            row = {name: (line[i].strip() if i < len(line) else "") for i, name in enumerate(names)}
            if len(line) != len(names):
                row[MALFORMED] = _(
                    "ligne mal formée : %(found)s champs lus, %(expected)s attendus (un par"
                    " colonne de l'en-tête)"
                ) % {"found": len(line), "expected": len(names)}
            rows.append(row)
    except csv.Error as exc:
        raise BulkFileError(_("CSV illisible (%(error)s).") % {"error": exc}) from None
    return rows


def _read_excel(content: bytes | Path) -> list[dict[str, str]]:
    from openpyxl import load_workbook

    if _sheet_rows(content) > MAX_ROWS + 1:
        raise _too_many()
    source = content if isinstance(content, Path) else io.BytesIO(content)
    try:
        book = load_workbook(source, read_only=True, data_only=True)
    except Exception as exc:  # noqa: BLE001 - openpyxl raises many kinds for a bad file
        raise BulkFileError(_("Classeur Excel illisible (%(error)s).") % {"error": exc}) from None
    try:
        return _excel_rows(book.worksheets[0])
    except BulkFileError:
        raise
    except Exception as exc:  # noqa: BLE001 - a damaged sheet fails while it is read
        raise BulkFileError(_("Classeur Excel illisible (%(error)s).") % {"error": exc}) from None
    finally:
        book.close()


def _excel_rows(sheet: Any) -> list[dict[str, str]]:
    """The data rows, read in streaming mode, only the header's columns, stopping at the
    limit (and at twice the limit of rows, blank ones included: a sheet of a million empty
    rows is refused rather than walked)."""
    header = next(sheet.iter_rows(min_row=1, max_row=1, values_only=True), None)
    if header is None:
        return []
    names = [str(v).strip().lower() if v is not None else "" for v in header]
    while names and not names[-1]:
        names.pop()
    if not names:
        return []
    rows: list[dict[str, str]] = []
    for seen, values_row in enumerate(sheet.iter_rows(min_row=2, values_only=True), start=1):
        if seen > 2 * MAX_ROWS:
            raise _too_many()
        if not any(v not in (None, "") for v in values_row):
            continue
        if len(rows) == MAX_ROWS:
            raise _too_many()
        row = {
            name: _cell(values_row[i] if i < len(values_row) else None)
            for i, name in enumerate(names)
        }
        extra = [v for v in values_row[len(names) :] if v not in (None, "")]
        if extra:
            row[MALFORMED] = _(
                "ligne mal formée : %(count)s valeur(s) au-delà des %(expected)s colonnes"
                " nommées de l'en-tête"
            ) % {"count": len(extra), "expected": len(names)}
        rows.append(row)
    return rows


_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_RELS = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
#: More decompressed XML than this in the first sheet is refused unread (a « zip bomb »).
MAX_SHEET_BYTES = 200 * 1024 * 1024


def _sheet_rows(content: bytes | Path) -> int:
    """How many rows the workbook's first sheet holds, counted on its XML as it is
    decompressed (a fraction of a second for a hundred thousand rows), before openpyxl
    reads anything: openpyxl walks a whole sheet that does not declare its size just to
    open it. 0 when the file is not a workbook that can be counted so (openpyxl then says
    what is wrong)."""
    from openpyxl.xml.functions import fromstring

    try:
        with zipfile.ZipFile(content if isinstance(content, Path) else io.BytesIO(content)) as zf:
            sheet = fromstring(zf.read("xl/workbook.xml")).find(f"{_MAIN}sheets/{_MAIN}sheet")
            wanted = sheet.get(f"{_RELS}id") if sheet is not None else None
            rels = fromstring(zf.read("xl/_rels/workbook.xml.rels"))
            target = next(r.get("Target", "") for r in rels if r.get("Id") == wanted)
            path = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
            count, tail, size = 0, b"", 0
            with zf.open(path) as stream:
                while chunk := stream.read(1 << 20):
                    size += len(chunk)
                    if size > MAX_SHEET_BYTES:
                        raise BulkFileError(
                            _("Classeur trop volumineux une fois décompressé : découpez-le.")
                        )
                    text = tail + chunk
                    count += text.count(b"<row ") + text.count(b"<row>")
                    # A tag cut at the chunk's end is counted with the next chunk.
                    cut = text.rfind(b"<", len(text) - 4)
                    tail = text[cut:] if cut >= 0 else b""
            return count
    except BulkFileError:
        raise
    except (KeyError, StopIteration, OSError, ValueError, zipfile.BadZipFile, SyntaxError):
        return 0


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        return value.date().isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


# --- parsing cells -----------------------------------------------------------------------


def _choice(value: str, choices: Iterable[tuple[Any, Any]], *, column: str) -> str:
    """A choice by code or by French label, any case."""
    wanted = value.strip().lower()
    for code, label in choices:
        if wanted in (str(code).lower(), str(label).lower()):
            return str(code)
    codes = ", ".join(str(code) for code, _label in choices if code)
    raise RowError(
        column,
        _("valeur « %(value)s » inconnue (attendu : %(codes)s)") % {"value": value, "codes": codes},
    )


def _int(value: str, *, column: str) -> int | None:
    if not value:
        return None
    try:
        number = int(value.replace(" ", ""))
    except ValueError:
        raise RowError(
            column, _("nombre entier attendu : « %(value)s »") % {"value": value}
        ) from None
    if number < 0:
        raise RowError(column, _("nombre positif attendu : « %(value)s »") % {"value": value})
    return number


def _decimal(value: str, *, column: str) -> Decimal | None:
    if not value:
        return None
    try:
        number = Decimal(value.replace(",", ".").replace(" ", ""))
    except InvalidOperation:
        raise RowError(column, _("nombre attendu : « %(value)s »") % {"value": value}) from None
    if not Decimal("0") <= number <= Decimal("1.5"):
        raise RowError(column, _("ETP attendu entre 0 et 1,5 : « %(value)s »") % {"value": value})
    return number.quantize(Decimal("0.01"))


def _date(value: str, *, column: str, required: bool = False) -> datetime.date | None:
    if not value:
        if required:
            raise RowError(column, _("valeur obligatoire manquante"))
        return None
    for fmt in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return datetime.datetime.strptime(value[:10], fmt).date()
        except ValueError:
            continue
    raise RowError(
        column, _("date attendue (AAAA-MM-JJ ou JJ/MM/AAAA) : « %(value)s »") % {"value": value}
    )


def _bool(value: str, *, column: str, default: bool) -> bool:
    if not value:
        return default
    lowered = value.strip().lower()
    if lowered in ("1", "oui", "o", "yes", "y", "true", "vrai"):
        return True
    if lowered in ("0", "non", "n", "no", "false", "faux"):
        return False
    raise RowError(column, _("oui ou non attendu : « %(value)s »") % {"value": value})


def _email(value: str, *, column: str) -> str:
    if not value:
        return ""
    try:
        validate_email(value)
    except ValidationError:
        raise RowError(
            column, _("adresse de courriel invalide : « %(value)s »") % {"value": value}
        ) from None
    return value.lower()


class _Territories:
    """Territory look-ups cached for one import."""

    def __init__(self) -> None:
        self._by_key = {(t.kind, t.code.upper()): t for t in Territory.objects.all()}

    def get(self, kind: str, code: str) -> Territory | None:
        return self._by_key.get((kind, code.strip().upper()))

    def any(self, code: str) -> Territory | None:
        code = code.strip().upper()
        for kind in ("cpts", "ght", "departement", "region"):
            found = self._by_key.get((kind, code))
            if found:
                return found
        return None


# --- row validators: each returns (key, apply) or raises RowError ------------------------

Apply = Callable[[], str]  # writes the row, returns "created", "updated" or "unchanged"

#: Model fields named differently in the files.
FIELD_COLUMNS = {
    "commune_code": "commune",
    "practitioner": "rpps",
    "organization": "organization_finess",
}


def _checked(
    model: Any, existing: Any, values: dict[str, Any], *, resolved: tuple[str, ...]
) -> None:
    """RowError unless the record the row would write is valid as the model is: field
    lengths, integer ranges of the database, decimal digits, choices, the model's own
    rules (``clean``). ``resolved``: relations already looked up from the directory."""
    candidate = copy.copy(existing) if existing is not None else model()
    for name, value in values.items():
        setattr(candidate, name, value)
    try:
        candidate.full_clean(exclude=list(resolved))
    except ValidationError as exc:
        errors = exc.message_dict
        field = next(iter(errors))
        column = "" if field == "__all__" else FIELD_COLUMNS.get(field, field)
        raise RowError(column, " ".join(errors[field])) from None


def _organization_row(row: dict[str, str], ctx: _Territories) -> tuple[tuple[Any, ...], Apply]:
    finess = row.get("finess", "")
    if finess:
        try:
            finess = identifiers.check_finess(
                finess, departements=frozenset(reference.departements())
            )
        except identifiers.IdentifierError as exc:
            raise RowError("finess", str(exc)) from None
    kind = _choice(row["kind"], Organization.Kind.choices, column="kind")
    values: dict[str, Any] = {
        "name": row["name"],
        "kind": kind,
        "finess": finess,
        "category": _choice(row["category"], Organization.Category.choices, column="category")
        if row.get("category")
        else "",
        "beds": _int(row.get("beds", ""), column="beds"),
        "acute_beds": _int(row.get("acute_beds", ""), column="acute_beds"),
        "address": row.get("address", ""),
        "phone": row.get("phone", ""),
        "email": _email(row.get("email", ""), column="email"),
        "commune_code": row.get("commune", ""),
    }
    if values["commune_code"] and reference.commune(values["commune_code"]) is None:
        raise RowError(
            "commune",
            _("code INSEE de commune inconnu : « %(value)s »") % {"value": values["commune_code"]},
        )
    dep_code = row.get("departement", "") or (finess[:3] if finess.startswith("97") else finess[:2])
    departement = ctx.get("departement", dep_code) if dep_code else None
    if dep_code and departement is None:
        raise RowError(
            "departement", _("département inconnu : « %(value)s »") % {"value": dep_code}
        )
    values["departement"] = departement
    ght = None
    if row.get("ght"):
        ght = ctx.get("ght", row["ght"])
        if ght is None:
            raise RowError("ght", _("GHT inconnu : « %(value)s »") % {"value": row["ght"]})
    values["ght"] = ght
    if values["acute_beds"] and values["beds"] and values["acute_beds"] > values["beds"]:
        raise RowError("acute_beds", _("plus de lits de court séjour que de lits au total"))
    key = ("finess", finess) if finess else ("name", row["name"].lower(), kind, dep_code)
    if finess:
        existing = Organization.objects.filter(finess=finess).first()
    else:
        existing = Organization.objects.filter(
            name__iexact=row["name"], kind=kind, departement=departement
        ).first()
    _checked(Organization, existing, values, resolved=("departement", "ght"))

    def apply() -> str:
        return _save(Organization, existing, values)

    return key, apply


def _practitioner_row(row: dict[str, str], ctx: _Territories) -> tuple[tuple[Any, ...], Apply]:
    rpps = row.get("rpps", "")
    if rpps:
        try:
            rpps = identifiers.check_rpps(rpps)
        except identifiers.IdentifierError as exc:
            raise RowError("rpps", str(exc)) from None
    values: dict[str, Any] = {
        "rpps": rpps,
        "last_name": row["last_name"],
        "first_name": row["first_name"],
        "profession": _choice(row["profession"], Profession.choices, column="profession"),
        "specialty": row.get("specialty", ""),
        "email": _email(row.get("email", ""), column="email"),
        "phone": row.get("phone", ""),
        "listed": _bool(row.get("listed", ""), column="listed", default=True),
    }
    if rpps:
        key: tuple[Any, ...] = ("rpps", rpps)
    else:
        key = ("name", values["last_name"].lower(), values["first_name"].lower(), values["email"])

    existing = Practitioner(**values).duplicate()
    _checked(Practitioner, existing, values, resolved=())

    def apply() -> str:
        return _save(Practitioner, existing, values)

    return key, apply


def _role_row(row: dict[str, str], ctx: _Territories) -> tuple[tuple[Any, ...], Apply]:
    person = None
    if row.get("rpps"):
        try:
            rpps = identifiers.check_rpps(row["rpps"])
        except identifiers.IdentifierError as exc:
            raise RowError("rpps", str(exc)) from None
        person = Practitioner.objects.filter(rpps=rpps).first()
        if person is None:
            raise RowError(
                "rpps", _("aucune personne de l'annuaire n'a le RPPS %(value)s") % {"value": rpps}
            )
    elif row.get("email"):
        person = Practitioner.objects.filter(email__iexact=row["email"]).first()
        if person is None:
            raise RowError(
                "email",
                _("aucune personne de l'annuaire n'a le courriel %(value)s")
                % {"value": row["email"]},
            )
    else:
        raise RowError("rpps", _("RPPS ou courriel de la personne obligatoire"))
    function = _choice(row["function"], PractitionerRole.Function.choices, column="function")
    organization = None
    if row.get("organization_finess"):
        organization = Organization.objects.filter(finess=row["organization_finess"]).first()
        if organization is None:
            raise RowError(
                "organization_finess",
                _("aucune structure n'a le FINESS %(value)s")
                % {"value": row["organization_finess"]},
            )
    elif row.get("organization"):
        matches = list(Organization.objects.filter(name__iexact=row["organization"])[:2])
        if len(matches) != 1:
            raise RowError(
                "organization",
                _("structure « %(value)s » introuvable ou ambiguë : donnez son FINESS")
                % {"value": row["organization"]},
            )
        organization = matches[0]
    territory = None
    if row.get("territory"):
        territory = ctx.any(row["territory"])
        if territory is None:
            raise RowError(
                "territory", _("territoire inconnu : « %(value)s »") % {"value": row["territory"]}
            )
    if organization is None and territory is None:
        raise RowError("organization", _("indiquez une structure ou un territoire"))
    start = _date(row.get("start", ""), column="start", required=True)
    assert start is not None  # required=True raised otherwise
    end = _date(row.get("end", ""), column="end")
    if start and end and end < start:
        raise RowError("end", _("la fin précède le début"))
    values = {
        "practitioner": person,
        "function": function,
        "organization": organization,
        "territory": territory,
        "start": start,
        "end": end,
        "fte": _decimal(row.get("fte", ""), column="fte"),
        "trained_on": _date(row.get("trained_on", ""), column="trained_on"),
    }
    key = (
        "role",
        person.pk,
        function,
        getattr(organization, "pk", None),
        getattr(territory, "pk", None),
        start,
    )

    existing = PractitionerRole.objects.filter(
        practitioner=person,
        function=function,
        organization=organization,
        territory=territory,
        start=start,
    ).first()
    _checked(
        PractitionerRole, existing, values, resolved=("practitioner", "organization", "territory")
    )

    def apply() -> str:
        return _save(PractitionerRole, existing, values)

    return key, apply


ROW_BUILDERS: dict[str, Callable[[dict[str, str], _Territories], tuple[tuple[Any, ...], Apply]]] = {
    "organizations": _organization_row,
    "practitioners": _practitioner_row,
    "roles": _role_row,
}


def _save(model: Any, existing: Any, values: dict[str, Any]) -> str:
    """Write one accepted row; the directory's history notes it came from an import, and
    the record's version moves on (an edit opened before the import then conflicts)."""
    reason = _("import de fichier")
    if existing is None:
        created = model(**values)
        created._change_reason = reason
        created.save()
        return "created"
    changed = [name for name, value in values.items() if getattr(existing, name) != value]
    if not changed:
        return "unchanged"
    for name in changed:
        setattr(existing, name, values[name])
    if hasattr(existing, "version"):
        existing.version += 1
        changed.append("version")
    existing._change_reason = reason
    existing.save(update_fields=changed)
    return "updated"


# --- the import --------------------------------------------------------------------------


def import_rows(kind: str, rows: list[dict[str, str]], *, commit: bool) -> Report:
    """Validate every row; with ``commit``, write the accepted ones in one transaction."""
    if kind not in ROW_BUILDERS:
        raise BulkFileError(_("Type d'import inconnu : %(kind)s.") % {"kind": kind})
    columns = set(rows[0]) - {MALFORMED} if rows else set()
    missing = [name for name in REQUIRED[kind] if name not in columns]
    if missing:
        raise BulkFileError(
            _("Colonne obligatoire absente : %(columns)s (colonnes attendues : %(all)s).")
            % {"columns": ", ".join(missing), "all": ", ".join(COLUMNS[kind])}
        )
    report = Report(kind=kind, read=len(rows))
    ctx = _Territories()
    seen: dict[tuple[Any, ...], int] = {}
    accepted: list[Apply] = []
    for number, raw in enumerate(rows, start=2):
        row = {name: raw.get(name, "") for name in COLUMNS[kind]}
        try:
            if MALFORMED in raw:
                raise RowError("", raw[MALFORMED])
            for name in REQUIRED[kind]:
                if not row[name]:
                    raise RowError(name, _("valeur obligatoire manquante"))
            key, apply = ROW_BUILDERS[kind](row, ctx)
        except RowError as exc:
            report.rejected.append(Rejection(number, exc.column, exc.reason))
            continue
        if key in seen:
            column = key[0] if key[0] in COLUMNS[kind] else REQUIRED[kind][0]
            report.rejected.append(
                Rejection(number, column, _("doublon de la ligne %(row)s") % {"row": seen[key]})
            )
            continue
        seen[key] = number
        accepted.append(apply)
    if not commit:
        return report
    try:
        with transaction.atomic():
            for apply in accepted:
                outcome = apply()
                setattr(report, outcome, getattr(report, outcome) + 1)
    except DatabaseError as exc:
        # The rows were checked as the model is; a refusal here is the database's own
        # (e.g. written meanwhile by someone else). Nothing was kept.
        raise BulkFileError(
            _("L'annuaire a refusé l'import, rien n'a été enregistré : %(error)s")
            % {"error": str(exc).splitlines()[0] if str(exc) else type(exc).__name__}
        ) from exc
    report.committed = True
    return report


# --- the export --------------------------------------------------------------------------


def export_rows(kind: str) -> tuple[tuple[str, ...], list[list[Any]]]:
    """The directory as rows of the import's columns (counts and FTE as numbers)."""
    columns = COLUMNS[kind]
    out: list[list[Any]] = []
    if kind == "organizations":
        for item in Organization.objects.select_related("departement", "ght").order_by("name"):
            out.append([
                item.finess, item.name, item.kind, item.category,
                item.departement.code if item.departement else "",
                item.beds, item.acute_beds, item.ght.code if item.ght else "",
                item.commune_code, item.address, item.phone, item.email,
            ])  # fmt: skip
    elif kind == "practitioners":
        for person in Practitioner.objects.order_by("last_name", "first_name"):
            out.append([
                person.rpps, person.last_name, person.first_name, person.profession,
                person.specialty, person.email, person.phone, "oui" if person.listed else "non",
            ])  # fmt: skip
    else:
        roles = PractitionerRole.objects.select_related("practitioner", "organization", "territory")
        for role in roles.order_by("practitioner__last_name", "function", "start"):
            org = role.organization
            person = role.practitioner
            out.append([
                person.rpps, person.email if not person.rpps else "",
                role.function, org.finess if org else "",
                org.name if org and not org.finess else "",
                role.territory.code if role.territory else "", role.start.isoformat(),
                role.end.isoformat() if role.end else "", role.fte,
                role.trained_on.isoformat() if role.trained_on else "",
            ])  # fmt: skip
    return columns, out
