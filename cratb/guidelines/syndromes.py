"""The syndromes and infection sites: one coded list for advice requests, guidelines and
care pathways.

Codes are stable (stored by advice requests and guidelines, exported, counted): a label may
be reworded, a code never changes meaning; new codes go at the end.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Syndrome(models.TextChoices):
    """Syndromes and infection sites, grouped as French guidelines group them."""

    CYSTITIS = "uti_cystitis", _("Infection urinaire : cystite")
    PYELONEPHRITIS = "uti_pyelonephritis", _("Infection urinaire : pyélonéphrite")
    MALE_UTI = "uti_male", _("Infection urinaire masculine")
    BACTERIURIA = "uti_bacteriuria", _("Bactériurie asymptomatique, colonisation urinaire")
    UTI_CATHETER = "uti_catheter", _("Infection urinaire sur sonde")
    PHARYNGITIS = "rti_pharyngitis", _("Angine, pharyngite")
    OTITIS = "rti_otitis", _("Otite moyenne aiguë")
    SINUSITIS = "rti_sinusitis", _("Sinusite")
    BRONCHITIS = "rti_bronchitis", _("Bronchite aiguë")
    COPD = "rti_copd", _("Exacerbation de BPCO")
    PNEUMONIA = "rti_pneumonia", _("Pneumonie")
    SKIN = "ssti_skin", _("Infection de la peau : érysipèle, dermohypodermite, abcès")
    WOUND = "ssti_wound", _("Plaie, morsure, ulcère, escarre")
    DIABETIC_FOOT = "ssti_diabetic_foot", _("Pied diabétique")
    BONE_JOINT = "bji", _("Infection ostéo-articulaire")
    PROSTHESIS = "bji_prosthesis", _("Infection sur prothèse ou matériel")
    DENTAL = "dental", _("Infection bucco-dentaire")
    INTRA_ABDOMINAL = "intra_abdominal", _("Infection intra-abdominale, biliaire")
    DIGESTIVE = "digestive", _("Infection digestive, diarrhée infectieuse")
    C_DIFFICILE = "c_difficile", _("Infection à Clostridioides difficile")
    BACTERAEMIA = "bacteraemia", _("Bactériémie, sepsis")
    ENDOCARDITIS = "endocarditis", _("Endocardite")
    CNS = "cns", _("Méningite, infection neuro-méningée")
    STI = "sti", _("Infection sexuellement transmissible, génitale")
    LYME = "lyme", _("Borréliose de Lyme")
    EYE_ENT = "eye_ent", _("Infection oculaire ou ORL autre")
    FEVER = "fever", _("Fièvre sans foyer identifié")
    MDRO = "mdro", _("Portage de bactérie multirésistante (BMR, BHRe)")
    PROPHYLAXIS = "prophylaxis", _("Antibioprophylaxie")
    OTHER = "other", _("Autre")
