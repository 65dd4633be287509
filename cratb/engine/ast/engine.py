"""The targeted-reporting decision, vectorised: the same code for one isolate (the lab
API) and for millions (``cratb ast target``).

Input (``Encoded``): the result rows as integer arrays — the isolate each row belongs to,
the antibiotic (index in ``codes()``), the S/I/R result — and one entry per isolate for
the facts the decision reads (specimen, organism group, age, sex, clinical context,
pregnancy, ESBL flag, the first unreadable row). ``decide`` returns, per isolate, the
situation applied, the ``mode``, the rank shown up to and the report comment, and per
row ``reported``. No Python loop over rows or isolates: comments are written once per
distinct (situation, rank, agents tested) by ``comment``.

The rules (``rules.Ruleset``), in order:

1. an isolate with an unreadable row is reported in full (``full_invalid``);
2. out of scope — a specimen other than urine, an organism outside the groups of the rule
   set (Enterobacterales), a patient whose age or sex is not given, a girl under 12, a
   boy under 16 — is reported in full (``full_out_of_scope``);
3. the situation is the request's ``clinical_context``, changed by the patient: a
   pregnant woman's cystitis (or unknown situation) follows the pregnancy rules, a man's
   urinary infection the male rules, a "simple" cystitis after the complication age is a
   cystitis at risk of complication; an unknown situation is reported in full
   (``full_unknown_situation``);
4. the situation's cascade (its tiers, then those of its ``next`` situations) is shown up
   to the first tier holding a susceptible agent (S, or I: susceptible at increased
   exposure); tested agents outside the shown tiers are withheld (``targeted``); an
   agent not tested is never shown (only tested rows exist);
5. when no agent of the whole cascade is susceptible, the full result is reported
   (``full_no_susceptible``): the prescriber is never left with resistant agents only.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from cratb.engine import reference
from cratb.engine.ast.rules import CONTEXTS, SITUATIONS, Ruleset

__all__ = [
    "MODES",
    "OUT_OF_SCOPE",
    "SIR",
    "Decided",
    "Decision",
    "Encoded",
    "agent_names",
    "codes",
    "comment",
    "decide",
]

MODES = (
    "targeted",
    "full_out_of_scope",
    "full_unknown_situation",
    "full_no_susceptible",
    "full_invalid",
)
TARGETED, OUT, UNKNOWN, NO_SUSCEPTIBLE, INVALID = range(len(MODES))
SIR = ("S", "I", "R")
# Why an isolate is outside targeted reporting, as the comment says it.
OUT_OF_SCOPE = {
    "specimen": "prélèvement autre qu'urinaire",
    "organism": "germe autre qu'une entérobactérie",
    "patient": "âge ou sexe du patient non renseigné",
    "girl": "fille de moins de {min_age_female} ans",
    "boy": "garçon de moins de {min_age_male} ans",
}
OUT_REASONS = ("", *OUT_OF_SCOPE)
FULL_ON_REQUEST = "Antibiogramme complet disponible sur demande auprès du laboratoire."
# Names clinicians use for combinations, shorter than the INN list of the reference table.
SHORT_NAMES = {
    "AMC": "amoxicilline-acide clavulanique",
    "SAM": "ampicilline-sulbactam",
    "TCC": "ticarcilline-acide clavulanique",
    "TZP": "pipéracilline-tazobactam",
    "SXT": "cotrimoxazole",
    "IPM": "imipénem",
    "CZA": "ceftazidime-avibactam",
    "CZT": "ceftolozane-tazobactam",
    "MEV": "méropénem-vaborbactam",
    "IMR": "imipénem-relebactam",
}
NOT_SHOWN = np.int16(32_000)  # the rank of an agent outside a cascade
FEMALE, MALE = 0, 1


_NAMES: dict[int, tuple[dict[str, str], list[str]]] = {}


def _names() -> tuple[dict[str, str], list[str]]:
    """Names and sorted codes, computed once per reference table (a new edition, after
    ``reference.clear_caches()``, is a new table)."""
    agents = reference.antibacterials()
    found = _NAMES.get(id(agents))
    if found is None:
        names = {a.whonet: a.name_fr for a in agents.values() if a.whonet}
        names = {**names, **{k: v for k, v in SHORT_NAMES.items() if k in names}}
        _NAMES.clear()
        found = _NAMES[id(agents)] = (names, sorted(names))
    return found


def agent_names() -> dict[str, str]:
    """The French name of each WHONET code, as report comments write it."""
    return _names()[0]


def codes() -> list[str]:
    """The WHONET codes, in the order of the ``Encoded.code`` indices."""
    return _names()[1]


def _sort_key(text: str) -> str:
    """French alphabetical order, accents aside (céfixime before ciprofloxacine)."""
    return text.lower().translate(str.maketrans("àâäéèêëîïôöùûüç", "aaaeeeeiioouuuc"))


@dataclass
class Encoded:
    """Checked rows as arrays. Per row: ``iso`` (0…isolates-1), ``code`` (index in
    ``codes()``), ``sir`` (index in ``SIR``). Per isolate: ``specimen_ok`` (a specimen of
    the rule set's scope), ``organism_ok`` (an organism of its groups), ``age`` (NaN when
    not given), ``sex`` (0 F, 1 M, -1 not given), ``context`` (index in ``CONTEXTS``),
    ``pregnant``, ``esbl`` (the lab's flag says Y) and ``invalid`` (isolate index → why a
    row could not be read)."""

    isolates: int
    iso: np.ndarray
    code: np.ndarray
    sir: np.ndarray
    specimen_ok: np.ndarray
    organism_ok: np.ndarray
    age: np.ndarray
    sex: np.ndarray
    context: np.ndarray
    pregnant: np.ndarray
    esbl: np.ndarray
    invalid: dict[int, str]


@dataclass
class Decided:
    """Per isolate: ``situation`` (index in ``SITUATIONS``, -1 none), ``mode`` (index in
    ``MODES``), ``stop`` (the last rank shown), ``withheld``, ``comment`` (index in
    ``comments``). Per row: ``reported``."""

    situation: np.ndarray
    mode: np.ndarray
    stop: np.ndarray
    withheld: np.ndarray
    comment: np.ndarray
    comments: list[str]
    reported: np.ndarray

    def situation_code(self, i: int) -> str | None:
        value = int(self.situation[i])
        return SITUATIONS[value] if value >= 0 else None

    def mode_code(self, i: int) -> str:
        return MODES[int(self.mode[i])]


@dataclass(frozen=True)
class Decision:
    """What the comment of an isolate depends on (the key of ``comment``)."""

    mode: str
    situation: str | None
    stop: int | None
    tested: frozenset[str]
    esbl: bool
    out_reason: str | None


def comment(rules: Ruleset, decision: Decision) -> tuple[str, int]:
    """The report comment of an isolate and the number of agents withheld."""
    names = agent_names()
    note = (
        f" {rules.esbl_comment}"
        if decision.esbl and decision.situation in rules.esbl_situations
        else ""
    )
    signed = f" Règles : {rules.label}."
    if decision.mode == "full_out_of_scope":
        why = OUT_OF_SCOPE[decision.out_reason or "patient"].format(
            min_age_female=rules.min_age_female, min_age_male=rules.min_age_male
        )
        return f"Hors du champ de l'antibiogramme ciblé ({why}) : antibiogramme complet rendu.", 0
    if decision.mode == "full_unknown_situation" or decision.situation is None:
        return "Situation clinique non renseignée : antibiogramme complet rendu.", 0
    label = rules.situations[decision.situation].label
    if decision.mode == "full_no_susceptible":
        return (
            f"Aucun antibiotique recommandé ({label}) n'est sensible : antibiogramme complet"
            f" rendu.{note}{signed}",
            0,
        )
    chain = rules.chain(decision.situation)
    stop = decision.stop or 0
    shown = {agent for rank, agent, _ in chain if rank <= stop}
    withheld = sorted((names.get(a, a) for a in decision.tested - shown), key=_sort_key)
    if withheld:
        plural = "s" if len(withheld) > 1 else ""
        body = (
            f"{len(withheld)} antibiotique{plural} testé{plural} non rendu{plural} :"
            f" {', '.join(withheld)}. {FULL_ON_REQUEST}"
        )
    else:
        body = "tous les antibiotiques testés sont rendus."
    stop_situation = next((s for rank, _, s in chain if rank == stop), decision.situation)
    extended = ""
    if stop_situation != decision.situation:
        extended = (
            " Les agents recommandés en première intention sont résistants : rendu étendu aux"
            f" recommandations de la situation « {rules.situations[stop_situation].label} »."
        )
    return f"Antibiogramme ciblé ({label}) : {body}{extended}{note}{signed}", len(withheld)


def _ranks(rules: Ruleset) -> np.ndarray:
    """rank[situation, code]: the agent's rank in the situation's cascade (``NOT_SHOWN``
    outside it); one more column for an unreadable code."""
    return _ranks_of(rules, id(reference.antibacterials()))


@functools.lru_cache(maxsize=16)
def _ranks_of(rules: Ruleset, _agents: int) -> np.ndarray:
    index = {c: i for i, c in enumerate(codes())}
    table = np.full((len(SITUATIONS), len(index) + 1), NOT_SHOWN, dtype=np.int16)
    for s, situation in enumerate(SITUATIONS):
        for rank, agent, _ in rules.chain(situation):
            table[s, index[agent]] = rank
    return table


def _situations(rules: Ruleset, enc: Encoded, out: np.ndarray) -> np.ndarray:
    context = enc.context
    named = {c: i for i, c in enumerate(CONTEXTS)}
    pregnancy = SITUATIONS.index(rules.pregnancy_situation)
    cystitis = np.isin(
        context,
        [named[c] for c in ("simple_cystitis", "complicated_cystitis", "pregnancy", "unknown")],
    )
    situation = np.select(
        [
            out > 0,
            enc.pregnant & (enc.sex == FEMALE) & cystitis,
            context == named["unknown"],
            enc.sex == MALE,
            context == named["pregnancy"],
            (context == named["simple_cystitis"]) & (enc.age > rules.complication_age),
        ],
        [-1, pregnancy, -1, SITUATIONS.index(rules.male_situation), pregnancy,
         SITUATIONS.index("complicated_cystitis")],
        default=context,
    )  # fmt: skip
    return situation.astype(np.int8)


def _out_of_scope(rules: Ruleset, enc: Encoded) -> np.ndarray:
    """Per isolate: 0 in scope, else the index in ``OUT_REASONS``; -1 unreadable."""
    reasons = {r: i for i, r in enumerate(OUT_REASONS)}
    unreadable = np.zeros(enc.isolates, dtype=bool)
    if enc.invalid:
        unreadable[list(enc.invalid)] = True
    no_patient = np.isnan(enc.age) | (enc.sex < 0)
    return np.select(
        [
            unreadable,
            ~enc.specimen_ok,
            ~enc.organism_ok,
            no_patient,
            (enc.sex == FEMALE) & (enc.age < rules.min_age_female),
            (enc.sex == MALE) & (enc.age < rules.min_age_male),
        ],
        [-1, reasons["specimen"], reasons["organism"], reasons["patient"], reasons["girl"],
         reasons["boy"]],
        default=0,
    ).astype(np.int8)  # fmt: skip


def decide(rules: Ruleset, enc: Encoded) -> Decided:
    """Decide every isolate of ``enc`` (see the module's docstring)."""
    n = enc.isolates
    ranks = _ranks(rules)
    code = np.where(enc.code >= 0, enc.code, ranks.shape[1] - 1)
    out = _out_of_scope(rules, enc)
    situation = _situations(rules, enc, np.abs(out))
    # Each row's rank in its isolate's cascade; the rank shown up to is the smallest rank
    # holding a susceptible agent (S, or I: susceptible at increased exposure).
    row_rank = np.where(situation[enc.iso] >= 0, ranks[np.maximum(situation, 0)[enc.iso], code],
                        NOT_SHOWN)  # fmt: skip
    stop = np.full(n, NOT_SHOWN, dtype=np.int16)
    np.minimum.at(stop, enc.iso, np.where(enc.sir <= 1, row_rank, NOT_SHOWN))
    mode = np.select(
        [out < 0, out > 0, situation < 0, stop >= NOT_SHOWN],
        [INVALID, OUT, UNKNOWN, NO_SUSCEPTIBLE],
        default=TARGETED,
    ).astype(np.int8)
    reported = (mode[enc.iso] != TARGETED) | (row_rank <= stop[enc.iso])
    comment_index, comments, withheld = _comments(rules, enc, mode, situation, stop, out, code)
    return Decided(
        situation=situation,
        mode=mode,
        stop=np.where(mode == TARGETED, stop, 0).astype(np.int16),
        withheld=withheld,
        comment=comment_index,
        comments=comments,
        reported=reported,
    )


def _comments(
    rules: Ruleset,
    enc: Encoded,
    mode: np.ndarray,
    situation: np.ndarray,
    stop: np.ndarray,
    out: np.ndarray,
    code: np.ndarray,
) -> tuple[np.ndarray, list[str], np.ndarray]:
    """One comment per distinct decision key, then per isolate its index."""
    all_codes = codes()
    words = (len(all_codes) + 63) // 64
    masks = np.zeros((words, enc.isolates), dtype=np.uint64)
    bits = np.left_shift(np.uint64(1), (code % 64).astype(np.uint64))
    bits[enc.code < 0] = 0
    word = code // 64
    for w in range(words):
        np.bitwise_or.at(masks[w], enc.iso, np.where(word == w, bits, np.uint64(0)))
    esbl_note = enc.esbl & np.isin(situation, [SITUATIONS.index(s) for s in rules.esbl_situations])
    key_stop = np.where(mode == TARGETED, stop, 0)
    # The tested agents matter only for targeted reports' lists of withheld agents.
    keyed_masks = np.where(mode == TARGETED, masks, np.uint64(0))
    fields = [mode, situation, key_stop, esbl_note, out, *keyed_masks]
    unique_rows, inverse = _distinct(fields)
    comments: list[str] = []
    counts = np.zeros(len(unique_rows), dtype=np.int16)
    for k, row in enumerate(unique_rows):
        key_mode, key_situation, key_stop_, key_esbl, key_out, *key_masks = row
        tested = frozenset(
            all_codes[w * 64 + b]
            for w in range(words)
            for b in range(64)
            if w * 64 + b < len(all_codes) and (int(key_masks[w]) >> b) & 1
        )
        text, count = comment(
            rules,
            Decision(
                mode=MODES[key_mode],
                situation=SITUATIONS[key_situation] if key_situation >= 0 else None,
                stop=key_stop_,
                tested=tested,
                esbl=bool(key_esbl),
                out_reason=OUT_REASONS[key_out] if key_out > 0 else None,
            ),
        )
        comments.append(text)
        counts[k] = count
    index = inverse.reshape(-1).astype(np.int32)
    withheld = counts[index]
    for i, why in sorted(enc.invalid.items()):
        index[i] = len(comments)
        comments.append(f"Données illisibles ({why}) : antibiogramme complet rendu.")
    return index, comments, withheld


def _distinct(fields: list[np.ndarray]) -> tuple[list[list[int]], np.ndarray]:
    """The distinct rows of parallel integer arrays, and each row's index among them.
    Rows are grouped by a 64-bit mix of their fields, then every group is checked to hold
    one distinct row (exactly as ``np.unique`` on the rows would, many times faster); a
    collision, never seen, falls back to the exact sort."""
    mixed = np.zeros(len(fields[0]), dtype=np.uint64)
    with np.errstate(over="ignore"):
        for number, f in enumerate(fields):
            value = f.astype(np.int64).view(np.uint64)
            mixed = mixed ^ (value + np.uint64(0x9E3779B97F4A7C15) + np.uint64(number))
            mixed *= np.uint64(0xBF58476D1CE4E5B9)
            mixed ^= mixed >> np.uint64(31)
    _, first, inverse = np.unique(mixed, return_index=True, return_inverse=True)
    inverse = inverse.reshape(-1)
    same = all(np.array_equal(f, f[first][inverse]) for f in fields)
    if not same:
        stacked = np.stack([f.astype(np.int64) for f in fields], axis=1)
        unique_rows, inverse = np.unique(stacked, axis=0, return_inverse=True)
        return unique_rows.tolist(), inverse.reshape(-1)
    return [[int(f[i]) for f in fields] for i in first], inverse


def encode_isolate(
    rules: Ruleset,
    *,
    organism: str | None,
    specimen: str | None,
    age: int | None,
    sex: str | None,
    context: str | None,
    pregnant: bool,
    esbl: bool,
    results: Sequence[tuple[str, str]],
) -> Encoded:
    """One checked isolate (the lab API's request) as ``Encoded``: ``results`` are
    (WHONET code, S/I/R) pairs."""
    from cratb.engine.reference.organisms import organisms

    index = {c: i for i, c in enumerate(codes())}
    group = organisms().get(organism or "")
    return Encoded(
        isolates=1,
        iso=np.zeros(len(results), dtype=np.int64),
        code=np.array([index.get(c, -1) for c, _ in results], dtype=np.int32),
        sir=np.array([SIR.index(s) for _, s in results], dtype=np.int8),
        specimen_ok=np.array([specimen in rules.specimens]),
        organism_ok=np.array([group is not None and group.group in rules.organism_groups]),
        age=np.array([np.nan if age is None else float(age)]),
        sex=np.array([{"F": FEMALE, "M": MALE}.get(sex or "", -1)], dtype=np.int8),
        context=np.array([CONTEXTS.index(context or "unknown")], dtype=np.int8),
        pregnant=np.array([pregnant]),
        esbl=np.array([esbl]),
        invalid={},
    )
