"""The attendance certificate, as a one-page PDF (reportlab)."""

from __future__ import annotations

import io

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import cm
from reportlab.pdfgen import canvas

from cratb.training.models import Registration


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
    pdf.drawString(2 * cm, height - 1.9 * cm, _("CRAtb — Centre régional en antibiothérapie"))
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
    pdf.setFont("Helvetica", 10)
    pdf.drawString(
        2 * cm,
        3 * cm,
        _("Fait le %(date)s. Référence de l'inscription : %(ref)s.")
        % {"date": date_format(timezone.localdate(), "j F Y"), "ref": registration.token},
    )
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()
