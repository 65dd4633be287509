"""Logging in and out, brute-force lockout, password reset and change, admin rights."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.test import Client

from cratb.accounts.models import Role, User
from cratb.accounts.tests.factories import PASSWORD, UserFactory

LOGIN = "/comptes/connexion/"


def login(client: Client, username: str, password: str) -> object:
    return client.post(LOGIN, {"username": username, "password": password})


def test_login_page_follows_the_contract(client: Client, db: None) -> None:
    html = client.get(LOGIN).content.decode()
    assert re.search(r'<label for="id_username">\s*Identifiant\s*</label>', html)
    assert re.search(r'<label for="id_password">\s*Mot de passe\s*</label>', html)
    assert 'name="username"' in html
    assert 'name="password"' in html
    assert re.search(r"<button[^>]*>\s*Se connecter\s*</button>", html)


def test_login_leads_to_the_dashboard(client: Client, coordinator: User) -> None:
    response = client.post(LOGIN, {"username": "coordination", "password": PASSWORD}, follow=True)
    assert response.redirect_chain[-1][0] == "/surveillance/"
    assert re.search(r"<h1>\s*Tableau de bord\s*</h1>", response.content.decode())


def test_login_honours_next(client: Client, coordinator: User) -> None:
    response = client.post(
        LOGIN, {"username": "coordination", "password": PASSWORD, "next": "/activite/"}
    )
    assert response["Location"] == "/activite/"


def test_a_lab_client_lands_on_its_api_page(client: Client, lab_client: User) -> None:
    response = login(client, "laboratoire", PASSWORD)
    assert response["Location"] == "/resistances/acces-api/"  # type: ignore[index]


def test_wrong_password_is_refused_with_a_french_message(client: Client, coordinator: User) -> None:
    response = client.post(LOGIN, {"username": "coordination", "password": "faux-mot-de-passe"})
    assert response.status_code == 200
    assert "Identifiant ou mot de passe incorrect" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_the_sixth_attempt_is_refused_even_with_the_right_password(
    client: Client, coordinator: User
) -> None:
    for _attempt in range(5):
        login(client, "coordination", "pas-le-bon-mot-de-passe")
    response = client.post(LOGIN, {"username": "coordination", "password": PASSWORD})
    assert response.status_code == 429
    html = response.content.decode()
    assert "Connexion bloquée" in html
    assert "Après 5 essais manqués" in html
    assert "Réessayez dans 30 minutes" in html
    assert "_auth_user_id" not in client.session
    assert client.get("/surveillance/").status_code == 302


def test_four_failures_do_not_lock_the_account(client: Client, coordinator: User) -> None:
    for _attempt in range(4):
        login(client, "coordination", "pas-le-bon-mot-de-passe")
    response = client.post(LOGIN, {"username": "coordination", "password": PASSWORD})
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(coordinator.pk)


def test_logout_is_a_post_and_says_so(client: Client, coordinator: User) -> None:
    client.force_login(coordinator)
    assert client.get("/comptes/deconnexion/").status_code == 405
    assert "_auth_user_id" in client.session

    response = client.post("/comptes/deconnexion/", follow=True)
    assert response.redirect_chain[-1][0] == "/"
    assert "_auth_user_id" not in client.session
    assert "Vous êtes déconnecté." in response.content.decode()


def test_password_reset_by_email(client: Client, requester: User) -> None:
    response = client.post("/comptes/mot-de-passe/oubli/", {"email": requester.email})
    assert response["Location"] == "/comptes/mot-de-passe/oubli/envoye/"
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [requester.email]
    assert message.subject == "CRAtb : choisir un nouveau mot de passe"
    link = re.search(r"http://testserver(/comptes/mot-de-passe/nouveau/\S+/)", str(message.body))
    assert link is not None

    # Django swaps the token for a session marker, then asks for the new password.
    form_page = client.get(link.group(1), follow=True)
    assert "Saisissez deux fois votre nouveau mot de passe" in form_page.content.decode()
    new_password = "un-nouveau-mot-de-passe-solide"
    done = client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": new_password, "new_password2": new_password},
    )
    assert done["Location"] == "/comptes/mot-de-passe/nouveau/enregistre/"
    requester.refresh_from_db()
    assert requester.check_password(new_password)

    reused = client.get(link.group(1), follow=True)
    assert "Ce lien n'est pas valable" in reused.content.decode()


def test_password_reset_reveals_nothing_about_unknown_addresses(client: Client, db: None) -> None:
    response = client.post("/comptes/mot-de-passe/oubli/", {"email": "inconnu@exemple.fr"})
    assert response["Location"] == "/comptes/mot-de-passe/oubli/envoye/"
    assert mail.outbox == []


def test_password_change(client: Client, agency_viewer: User) -> None:
    client.force_login(agency_viewer)
    new_password = "encore-un-mot-de-passe-neuf"
    response = client.post(
        "/comptes/mot-de-passe/modifier/",
        {"old_password": PASSWORD, "new_password1": new_password, "new_password2": new_password},
    )
    assert response["Location"] == "/comptes/mot-de-passe/modifie/"
    agency_viewer.refresh_from_db()
    assert agency_viewer.check_password(new_password)


def test_account_page_shows_role_scope_and_password_link(
    client: Client, ema_responder: User
) -> None:
    client.force_login(ema_responder)
    html = client.get("/comptes/mon-compte/").content.decode()
    assert "Membre d&#x27;une EMA" in html
    assert "EMA du territoire de Paris" in html
    assert "Paris (75)" in html
    assert 'href="/comptes/mot-de-passe/modifier/"' in html


def test_account_page_leads_a_lab_to_its_api_tokens(client: Client, lab_client: User) -> None:
    client.force_login(lab_client)
    html = client.get("/comptes/mon-compte/").content.decode()
    assert 'href="/resistances/acces-api/"' in html
    # The menu offers a lab client its API page and its adoption of targeted reporting.
    menu = html[html.index('aria-label="Navigation principale"') :]
    menu = menu[: menu.index("</nav>")]
    assert menu.count("<li>") == 2
    assert 'href="/resistances/acces-api/"' in menu
    assert 'href="/campagnes/rendu-cible/laboratoire/"' in menu


@pytest.mark.parametrize("role", Role.values)
def test_admin_rights_follow_the_role(role: str, db: None) -> None:
    user = UserFactory.create(role=role)
    assert user.is_staff is (role == Role.ADMIN)
    assert user.is_superuser is (role == Role.ADMIN)


def test_a_role_change_grants_and_removes_admin_rights(administrator: User) -> None:
    administrator.role = Role.COORDINATOR
    administrator.save()
    administrator.refresh_from_db()
    assert not administrator.is_staff
    assert not administrator.has_perm("accounts.change_user")


def test_admin_flags_that_contradict_the_role_are_refused(db: None) -> None:
    with pytest.raises(ValueError, match="découlent du rôle"):
        User.objects.create_user("intrus", password="mot-de-passe-intrus", is_staff=True)
    with pytest.raises(ValueError, match="découlent du rôle"):
        User.objects.create_superuser("racine", password="mot-de-passe-racine", role=Role.LAB)
    assert not User.objects.exists()


def test_createsuperuser_makes_an_administrator(db: None) -> None:
    user = User.objects.create_superuser("racine", "racine@exemple.fr", "mot-de-passe-racine")
    assert user.role == Role.ADMIN
    assert user.is_superuser
    assert user.has_perm("accounts.change_user")
    plain = User.objects.create_user("simple", password="mot-de-passe-simple")
    assert plain.role == Role.REQUESTER
    assert not plain.is_staff
