"""The comparison by setting, the results to check for the labs, and the antibiogram's
intrinsic cells and first-isolate option, as used."""

from __future__ import annotations

from pathlib import Path

from django.test import Client

from cratb.accounts.models import User
from cratb.engine.sources import import_file
from cratb.resistance.models import LabAccount

HEADER = (
    "isolate_id,patient_id,sampled_on,specimen,setting,departement,lab_id,organism,antibiotic,"
    "sir,esbl"
)
PERIOD = "date_from=2025-01-01&date_to=2025-12-31"


def _isolates(warehouse: Path, tmp_path: Path) -> None:
    """Urinary E. coli: community 40 (4 ESBL by the lab), nursing home 10 (3 ESBL);
    K. pneumoniae × AMX: one S from LBM-75-01, one R; P. aeruginosa × CTX: one S from
    LBM-92-01."""
    rows = [
        f"C{i},P{i},2025-03-01,urine,community,75,LBM-75-01,E. coli,CTX,{'R' if i < 4 else 'S'},"
        f"{'Y' if i < 4 else 'N'}"
        for i in range(40)
    ]
    rows += [
        f"N{i},Q{i},2025-04-01,urine,nursing_home,75,LBM-75-01,E. coli,CTX,"
        f"{'R' if i < 3 else 'S'},{'Y' if i < 3 else 'N'}"
        for i in range(10)
    ]
    rows += [
        "K1,PK1,2025-05-01,urine,community,75,LBM-75-01,K. pneumoniae,AMX,S,",
        "K2,PK2,2025-05-02,urine,community,75,LBM-75-01,K. pneumoniae,AMX,R,",
        "PA1,PP1,2025-05-03,respiratory,hospital,92,LBM-92-01,P. aeruginosa,CTX,S,",
    ]
    path = tmp_path / "i.csv"
    path.write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8")
    report = import_file("isolates", path, warehouse=warehouse)
    assert report.rejected == 0


def test_comparison_by_setting_with_the_national_figure(
    client: Client, agency_viewer: User, warehouse: Path, tmp_path: Path
) -> None:
    client.force_login(agency_viewer)
    assert (
        "l&#x27;entrepôt n&#x27;existe pas encore"
        in client.get("/resistances/par-lieu-de-vie/").content.decode()
    )
    _isolates(warehouse, tmp_path)
    html = client.get(f"/resistances/par-lieu-de-vie/?specimen=urine&{PERIOD}").content.decode()
    # Community: 4 ESBL of 40 = 10,0 %; nursing home 3 of 10 = 30,0 % (fewer than 30: *).
    assert '<td class="num">10,0' in html and "4 / 40" in html
    assert "30,0*" in html and "3 / 10" in html
    # PRIMO 2019 (latest of 2025 or before), written beside the community row.
    assert "3,0 (E. coli urinaires de ville producteurs de BLSE (PRIMO) 2019)" in html
    # Wilson 95 % of 4/40 is 4,0–23,1 %: its lower bound is above 3,0 → ▲.
    assert "4,0–23,1" in html and "au-dessus de la référence nationale" in html
    assert "<svg" in html and "Résultats à vérifier" not in html  # not for the agency
    csv_text = client.get(
        f"/resistances/par-lieu-de-vie/?specimen=urine&{PERIOD}&format=csv"
    ).content.decode("utf-8")
    assert csv_text.startswith("\ufeffindicator;organism;antibiotic;setting;specimen;")
    assert (
        "resistance.esbl_share;Escherichia coli;;community;urine;2025-01-01;2025-12-31;4;40;10,0;"
        "4,0;23,1;non;lab;3,0;2019;E. coli urinaires de ville producteurs de BLSE (PRIMO);"
        in csv_text
    )
    bad = client.get("/resistances/par-lieu-de-vie/?date_from=2025-12-31&date_to=2025-01-01")
    assert "La date de début est après la date de fin." in bad.content.decode()
    odd = client.get("/resistances/par-lieu-de-vie/?specimen=%00&date_from=x&date_to=y")
    assert odd.status_code == 200


def test_a_lab_sees_its_own_results_to_check_only(
    client: Client, lab_account: LabAccount, warehouse: Path, tmp_path: Path
) -> None:
    _isolates(warehouse, tmp_path)
    client.force_login(lab_account.user)
    html = client.get(f"/resistances/resultats-a-verifier/?{PERIOD}&lab_id=LBM-92-01").content
    page = html.decode()
    # LBM-75-01 sent two results for K. pneumoniae × AMX (expected R), one S.
    assert "Laboratoire LBM-75-01" in page and "<code>K1</code>" in page
    # Another lab's results, even when asked for in the address:
    assert "<code>PA1</code>" not in page and "<td>LBM-92-01</td>" not in page
    csv_text = client.get(f"/resistances/resultats-a-verifier/?{PERIOD}&format=csv").content
    lines = csv_text.decode("utf-8").splitlines()
    assert lines[0] == (
        "\ufefflab_id;isolate_id;sampled_on;setting;specimen;organism;antibiotic;sir;expected;"
        "reference"
    )
    assert lines[1:] == [
        "LBM-75-01;K1;2025-05-01;community;urine;Klebsiella pneumoniae;AMX;S;R;"
        "EUCAST Expected Resistant Phenotypes v1.2 (2023-01-13)"
    ]
    tokens = client.get("/resistances/acces-api/").content.decode()
    assert 'href="/resistances/resultats-a-verifier/"' in tokens


def test_a_lab_user_without_a_lab_sees_nothing(client: Client, lab_client: User) -> None:
    client.force_login(lab_client)
    page = client.get("/resistances/resultats-a-verifier/").content.decode()
    assert "rattaché à aucun laboratoire" in page


def test_the_coordination_sees_every_lab(
    client: Client, coordinator: User, warehouse: Path, tmp_path: Path
) -> None:
    _isolates(warehouse, tmp_path)
    client.force_login(coordinator)
    page = client.get(f"/resistances/resultats-a-verifier/?{PERIOD}").content.decode()
    assert "<code>K1</code>" in page and "<code>PA1</code>" in page
    only = client.get(f"/resistances/resultats-a-verifier/?{PERIOD}&lab_id=LBM-92-01")
    assert "<code>K1</code>" not in only.content.decode()


def test_antibiogram_shows_rn_and_its_first_isolate_rule(
    client: Client, coordinator: User, warehouse: Path, tmp_path: Path
) -> None:
    _isolates(warehouse, tmp_path)
    client.force_login(coordinator)
    html = client.get(f"/resistances/?setting=community&{PERIOD}").content.decode()
    assert (
        "amoxicilline : résistance naturelle attendue (EUCAST) ; résultats transmis : 1 S" in html
    )
    assert ">RN</abbr>" in html
    assert 'href="/resistances/resultats-a-verifier/"' in html
    pheno = client.get(f"/resistances/?setting=community&{PERIOD}&first_isolate=phenotype")
    assert "variante phénotypique" in pheno.content.decode()
    csv_text = client.get(f"/resistances/?setting=community&{PERIOD}&format=csv").content
    assert ";Klebsiella pneumoniae;2;AMX;amoxicilline;2;1;0;1;;;oui;;;;oui;episode" in (
        csv_text.decode("utf-8")
    )
