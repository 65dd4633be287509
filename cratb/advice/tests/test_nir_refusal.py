"""A social security number (NIR) with a valid key never enters the advice desk: refused
in every free text, whoever writes it, with no « j'ai vérifié » override; other identity
clues keep the warning."""

from __future__ import annotations

import html

import pytest
from django.test import Client
from django.urls import reverse

from cratb.accounts.models import User
from cratb.advice.identity import find_nir
from cratb.advice.models import AdviceMessage, AdviceRequest, Answer, Status
from cratb.advice.tests.factories import AdviceRequestFactory
from cratb.advice.tests.helpers import form_data
from cratb.network.models import Organization, Territory

pytestmark = pytest.mark.django_db

URL = reverse("advice:request-create")
NIR = "1 85 05 78 006 084 91"
REFUSED = "numéro de sécurité sociale (NIR)"


def page(response: object) -> str:
    return html.unescape(response.content.decode())  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    "text",
    [
        "patient 1 85 05 78 006 084 91",
        "NIR 185057800608491",
        "n° 1.85.05.78.006.084.91",
        "1-85-05-78-006-084-91",
    ],
)
def test_a_nir_with_its_key_is_found_whatever_the_separators(text: str) -> None:
    assert find_nir(text) != []


def test_a_corsican_nir_is_found() -> None:
    number = int("26902" + "19" + "123456") - 1_000_000
    assert find_nir(f"2 69 02 2A 123 456 {97 - number % 97:02d}") != []
    assert find_nir(f"269022A123456{(97 - number % 97 + 1) % 97:02d}") == []


def test_fifteen_digits_with_a_wrong_key_pass() -> None:
    assert find_nir("lot 185057800608490") == []


def test_the_public_form_refuses_a_nir_even_when_the_box_is_ticked(
    client: Client, departement: Territory
) -> None:
    response = client.post(URL, form_data(question=f"Patient {NIR}, cystite", identity_ok="on"))
    assert response.status_code == 400
    assert REFUSED in page(response)
    assert not AdviceRequest.objects.exists()


@pytest.mark.parametrize("field", ["allergy_detail", "organism", "requester_name"])
def test_every_text_field_of_the_public_form_refuses_a_nir(
    client: Client, departement: Territory, field: str
) -> None:
    response = client.post(URL, form_data(**{field: f"x {NIR}"}, identity_ok="on"))
    assert response.status_code == 400
    assert REFUSED in page(response)
    assert not AdviceRequest.objects.exists()


@pytest.fixture
def open_request(departement: Territory, ema_team: Organization) -> AdviceRequest:
    return AdviceRequestFactory.create(departement=departement, team=ema_team)


def test_a_responders_answer_with_a_nir_is_refused(
    client: Client, ema_responder: User, open_request: AdviceRequest
) -> None:
    client.force_login(ema_responder)
    response = client.post(
        reverse("advice:request-answer", args=[open_request.pk]),
        {
            "version": open_request.version,
            "recommendation": "do_not_start",
            "text": f"Pas d'antibiotique pour {NIR}.",
            "identity_ok": "on",
        },
    )
    assert response.status_code == 400
    assert REFUSED in page(response)
    assert not Answer.objects.exists()


def test_a_responders_answer_with_a_name_and_birth_date_is_warned_then_confirmed(
    client: Client, ema_responder: User, open_request: AdviceRequest
) -> None:
    client.force_login(ema_responder)
    url = reverse("advice:request-answer", args=[open_request.pk])
    data = {
        "version": open_request.version,
        "recommendation": "do_not_start",
        "text": "Pour Mme Martin née le 12/03/1950 : pas d'antibiotique.",
    }
    response = client.post(url, data)
    assert response.status_code == 400
    assert "Votre texte semble contenir une date de naissance" in page(response)
    assert "J'ai vérifié" in page(response)
    assert client.post(url, {**data, "identity_ok": "on"}).status_code == 302
    assert Answer.objects.count() == 1


def test_a_question_to_the_requester_with_a_nir_is_refused(
    client: Client, ema_responder: User, open_request: AdviceRequest
) -> None:
    client.force_login(ema_responder)
    response = client.post(
        reverse("advice:request-ask", args=[open_request.pk]),
        {"version": open_request.version, "text": f"Confirmez le NIR {NIR} ?"},
    )
    assert response.status_code == 400
    assert REFUSED in page(response)
    assert not AdviceMessage.objects.exists()


def test_a_reassignment_note_with_a_nir_is_refused(
    client: Client, coordinator: User, ema_responder: User, open_request: AdviceRequest
) -> None:
    client.force_login(coordinator)
    response = client.post(
        reverse("advice:request-reassign", args=[open_request.pk]),
        {"version": open_request.version, "to": ema_responder.pk, "note": f"voir {NIR}"},
    )
    assert response.status_code == 400
    assert REFUSED in page(response)
    open_request.refresh_from_db()
    assert open_request.assignee_id is None


def test_the_requesters_reply_and_survey_comment_refuse_a_nir(
    client: Client, requester: User, departement: Territory
) -> None:
    advice = AdviceRequestFactory.create(
        departement=departement, requester=requester, status=Status.WAITING
    )
    client.force_login(requester)
    url = reverse("advice:request-requester", args=[advice.pk])
    response = client.post(url, {"action": "reply", "text": f"NIR {NIR}", "identity_ok": "on"})
    assert response.status_code == 400
    assert REFUSED in page(response)
    assert not AdviceMessage.objects.exists()


def test_the_coding_page_refuses_a_nir_in_the_organism(
    client: Client, ema_responder: User, open_request: AdviceRequest
) -> None:
    from cratb.advice.forms import CodingForm

    client.force_login(ema_responder)
    data = {k: v for k, v in CodingForm.initial_for(open_request).items() if v is not None}
    data["organism"] = f"E. coli {NIR}"
    response = client.post(reverse("advice:request-coding", args=[open_request.pk]), data)
    assert response.status_code == 400
    assert REFUSED in page(response)
    open_request.refresh_from_db()
    assert NIR not in open_request.organism


def test_a_phone_log_with_a_nir_is_refused(
    client: Client, ema_responder: User, departement: Territory
) -> None:
    client.force_login(ema_responder)
    response = client.post(
        reverse("advice:phone-create"),
        {
            **form_data(),
            "channel": "phone",
            "received_at": "2025-03-04T10:00",
            "question": f"Appel pour {NIR}",
            "recommendation": "do_not_start",
            "text": "Pas d'antibiotique.",
            "identity_ok": "on",
        },
    )
    assert response.status_code == 400
    assert REFUSED in page(response)
    assert not AdviceRequest.objects.exists()


def test_the_model_refuses_a_nir_whatever_the_page(
    ema_responder: User, open_request: AdviceRequest
) -> None:
    from cratb.advice.models import StateError

    with pytest.raises(StateError, match="NIR"):
        open_request.ask(by=ema_responder, text=f"NIR {NIR} ?", expected_version=1)
    assert not AdviceMessage.objects.exists()
