"""What the audit pages, the feedback sheet and the CSV show, read once from the database
and computed by ``results.py``: a campaign's regional results, each participant's, and
the change from the first round."""

from __future__ import annotations

from dataclasses import dataclass, field

from cratb.audits.models import AuditCampaign, AuditCase, Participant
from cratb.audits.results import Change, Compliance, changes, compliance

__all__ = ["CampaignResults", "ParticipantResults", "campaign_results"]


@dataclass(frozen=True)
class ParticipantRow:
    code: str
    label: str
    rule: str
    mine: Compliance
    region: Compliance

    @property
    def position(self) -> str:
        return self.mine.compared_with(self.region)


@dataclass(frozen=True)
class ParticipantResults:
    participant: Participant
    cases: int
    rows: list[ParticipantRow]
    change: list[Change] = field(default_factory=list)


@dataclass(frozen=True)
class CampaignResults:
    campaign: AuditCampaign
    cases: int
    region: list[Compliance]
    participants: list[ParticipantResults]
    change: list[Change]  # the region's, from the first round (empty without one)

    def of(self, participant_id: int) -> ParticipantResults | None:
        for found in self.participants:
            if found.participant.pk == participant_id:
                return found
        return None


def _answers_by_participant(campaign: AuditCampaign) -> dict[int, list[dict[str, object]]]:
    grouped: dict[int, list[dict[str, object]]] = {}
    for participant_id, answers in AuditCase.objects.filter(campaign=campaign).values_list(
        "participant_id", "answers"
    ):
        grouped.setdefault(participant_id, []).append(answers)
    return grouped


def campaign_results(campaign: AuditCampaign) -> CampaignResults:
    grid = campaign.grid
    grouped = _answers_by_participant(campaign)
    every = [answers for cases in grouped.values() for answers in cases]
    region = compliance(grid, every)
    previous = campaign.previous_round
    before_grouped = _answers_by_participant(previous) if previous is not None else {}
    before_region = (
        compliance(previous.grid, [a for cases in before_grouped.values() for a in cases])
        if previous is not None
        else []
    )
    # A participant of the first round is the same organisation or prescriber.
    before_keys: dict[tuple[int | None, int | None], int] = {}
    if previous is not None:
        for p in previous.participants.all():
            before_keys[(p.organization_id, p.practitioner_id)] = p.pk
    participants = []
    for participant in campaign.participants.select_related("organization", "practitioner"):
        cases = grouped.get(participant.pk, [])
        mine = compliance(grid, cases)
        rows = [
            ParticipantRow(m.code, m.label, m.rule, m, r) for m, r in zip(mine, region, strict=True)
        ]
        change: list[Change] = []
        before_pk = before_keys.get((participant.organization_id, participant.practitioner_id))
        if previous is not None and before_pk is not None:
            change = changes(compliance(previous.grid, before_grouped.get(before_pk, [])), mine)
        participants.append(ParticipantResults(participant, len(cases), rows, change))
    return CampaignResults(
        campaign=campaign,
        cases=len(every),
        region=region,
        participants=participants,
        change=changes(before_region, region) if previous is not None else [],
    )
