"""The attendance certificate, as a one-page PDF (reportlab): the region's centre, the
participant, the session, a signatory and a reference a person can read out."""

from __future__ import annotations

import io

from django.conf import settings
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import cm
from reportlab.pdfgen import canvas

from cratb.accounts.models import Role, User
from cratb.engine import reference
from cratb.training.models import Registration


def region_name() -> str:
    try:
        return reference.region(settings.CRATB_REGION).name
    except (reference.ReferenceError, KeyError):
        return ""


def signatory() -> str:
    """CRATB_CERTIFICATE_SIGNATORY, else the first active coordinator « for the
    coordination », else the coordination itself."""
    if settings.CRATB_CERTIFICATE_SIGNATORY:
        return str(settings.CRATB_CERTIFICATE_SIGNATORY)
    person = (
        User.objects.filter(role=Role.COORDINATOR, is_active=True)
        .exclude(last_name="")
        .order_by("pk")
        .first()
    )
    if person is None:
        return _("La coordination du CRAtb")
    return _("%(name)s, pour la coordination du CRAtb") % {"name": person.get_full_name()}


def certificate_pdf(registration: Registration) -> bytes:
    """The PDF of a participant who attended (the caller checks ``may_get_certificate``)."""
    session = registration.session
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4)
    width, height = A4
    pdf.setTitle(_("Attestation de présence"))
    pdf.setAuthor(_("Centre régional en antibiothérapie (CRAtb)"))
    pdf.setFillColorRGB(0.04, 0.3, 0.55)
    pdf.rect(0, height - 3 * cm, width, 3 * cm, stroke=0, fill=1)
    pdf.setFillColorRGB(1, 1, 1)
    pdf.setFont("Helvetica-Bold", 18)
    region = region_name()
    pdf.drawString(
        2 * cm,
        height - 1.9 * cm,
        _("CRAtb %(region)s — Centre régional en antibiothérapie") % {"region": region}
        if region
        else _("CRAtb — Centre régional en antibiothérapie"),
    )
    pdf.setFillColorRGB(0, 0, 0)
    pdf.setFont("Helvetica-Bold", 22)
    pdf.drawCentredString(width / 2, height - 5.5 * cm, _("Attestation de présence"))
    start = timezone.localtime(session.starts_at)
    lines = [
        _("Le Centre régional en antibiothérapie atteste que"),
        "",
        f"{registration.first_name} {registration.last_name}",
        f"{registration.get_profession_display()} — {registration.organization_name}",
        "",
        _("a participé à la formation"),
        f"« {session.title} »",
        _("%(format)s du %(date)s, d'une durée de %(hours)s heures.")
        % {
            "format": session.get_format_display(),
            "date": date_format(start, "j F Y"),
            "hours": f"{session.duration_hours.normalize():f}".replace(".", ","),
        },
    ]
    if session.label:
        lines.append(_("Label : %(label)s.") % {"label": session.get_label_display()})
    lines.append(session.venue if not session.online else _("Formation à distance."))
    y = height - 8 * cm
    for i, line in enumerate(lines):
        pdf.setFont("Helvetica-Bold" if i in (2, 6) else "Helvetica", 14 if i in (2, 6) else 12)
        pdf.drawCentredString(width / 2, y, line)
        y -= 0.9 * cm
    y -= 1.2 * cm
    pdf.setFont("Helvetica", 12)
    pdf.drawRightString(
        width - 2 * cm,
        y,
        _("Fait le %(date)s,") % {"date": date_format(timezone.localdate(), "j F Y")},
    )
    pdf.setFont("Helvetica-Bold", 12)
    pdf.drawRightString(width - 2 * cm, y - 0.7 * cm, signatory())
    pdf.setFont("Helvetica", 10)
    # A reference to read out on the phone or type in a register: never the secret of the
    # participant's link (whoever has it may cancel the registration).
    pdf.drawString(
        2 * cm,
        3 * cm,
        _("Référence de l'attestation : %(ref)s") % {"ref": registration.reference},
    )
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()
