"""Forms of the advice desk: they parse and check input; the models decide the rest."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django import forms
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cratb.accounts.models import Role, User
from cratb.advice import codes, identity, uploads
from cratb.advice.models import RESPONDER_ROLES, AdviceRequest, AgentChoice
from cratb.advice.services import NewFile
from cratb.advice.widgets import FastSelect, FastSelectMultiple
from cratb.advice.workdays import PARIS
from cratb.collation import french_sorted
from cratb.engine import reference
from cratb.guidelines.models import Document, Pathway
from cratb.network.models import Organization, Territory
from cratb.security import LimitedFileField

BLANK: list[tuple[str, Any]] = [("", "—")]


def speed_up(form: forms.BaseForm) -> None:
    """Render this form's plain selects in Python (``widgets.FastSelect``)."""
    for field in form.fields.values():
        widget = field.widget
        if type(widget) is forms.Select:
            fast = FastSelect(attrs=widget.attrs)
            fast.choices = widget.choices
            fast.is_required = widget.is_required
            field.widget = fast


def agent_choices() -> list[tuple[str, str]]:
    """Antibacterials of the reference tables, by French name."""
    agents = french_sorted(reference.antibacterials().values(), key=lambda a: a.name_fr)
    return [(a.atc, f"{a.name_fr} ({a.atc})") for a in agents]


def route_problem(atc: str, route: str) -> str:
    """Why ``atc`` cannot be given by ``route`` (oral or injectable), or "" when it can.

    The routes of an agent are those WHO gives a defined daily dose for (pivmécillinam:
    oral only); an agent WHO gives no DDD for is not checked."""
    try:
        agent = reference.antibacterial(atc)
    except (KeyError, ValueError):
        return ""
    known = [r for r in codes.Route if agent.ddd(r.value) is not None]
    if not known or route in {r.value for r in known}:
        return ""
    return _("%(agent)s ne s'administre pas par %(route)s (voies possibles : %(known)s).") % {
        "agent": agent.name_fr,
        "route": codes.Route(route).label,
        "known": ", ".join(str(r.label) for r in known),
    }


def region_departements() -> list[Territory]:
    return list(
        Territory.objects.filter(
            kind=Territory.Kind.DEPARTEMENT,
            parent__kind=Territory.Kind.REGION,
            parent__code=settings.CRATB_REGION,
        ).order_by("code")
    )


class DepartementField(forms.ChoiceField):
    """A département of the platform's region, with a clear message for any other."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("label", _("Département d'exercice"))
        super().__init__(choices=(), **kwargs)

    def load(self) -> None:
        self.departements = {t.code: t for t in region_departements()}
        self.choices = BLANK + [
            (code, f"{t.name} ({code})") for code, t in self.departements.items()
        ]

    def validate(self, value: Any) -> None:
        forms.Field.validate(self, value)

    def clean(self, value: Any) -> Territory | None:
        code = super().clean(value)
        if not code:
            return None
        code = str(code).strip().upper()
        if code in self.departements:
            return self.departements[code]
        other = Territory.objects.filter(kind=Territory.Kind.DEPARTEMENT, code=code).first()
        region = Territory.objects.filter(
            kind=Territory.Kind.REGION, code=settings.CRATB_REGION
        ).first()
        region_name = region.name if region else settings.CRATB_REGION
        if other is not None:
            raise forms.ValidationError(
                _(
                    "Le département %(name)s (%(code)s) n'est pas dans la région %(region)s : "
                    "adressez votre question au CRAtb de sa région."
                ),
                params={"name": other.name, "code": code, "region": region_name},
                code="outside_region",
            )
        raise forms.ValidationError(
            _("Code de département inconnu : « %(code)s »."), params={"code": code}
        )


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ".pdf,image/*"}))
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[UploadedFile]:
        if not data:
            return []
        items = data if isinstance(data, list | tuple) else [data]
        return [super(MultipleFileField, self).clean(item, initial) for item in items if item]


class AttachmentsMixin(forms.Form):
    """Checks every file by size and content; keeps the good ones when another fails."""

    attachments = MultipleFileField(
        label=_("Antibiogramme ou compte rendu (PDF ou image, 10 Mo au plus par fichier)"),
        help_text=_("Masquez le nom du patient sur le document avant de le joindre."),
    )

    def clean_attachments(self) -> list[NewFile]:
        self.valid_files: list[NewFile] = []
        received = self.cleaned_data.get("attachments") or []
        errors = []
        for upload in received:
            if identity.find_nir(upload.name or ""):
                errors.append(str(identity.NIR_IN_FILE_NAME))
                continue
            try:
                sniffed = uploads.check_upload(upload)
            except uploads.AttachmentError as exc:
                errors.append(str(exc))
            else:
                self.valid_files.append(NewFile(upload=upload, sniffed=sniffed))
        if errors:
            raise forms.ValidationError(errors)
        kept: list[uploads.PendingFile] = getattr(self, "pending", [])
        try:
            uploads.check_quota(
                count=len(received) + len(kept),
                size=sum(u.size or 0 for u in received) + sum(p.size for p in kept),
            )
        except uploads.AttachmentError as exc:
            # None of the new files is kept: the visitor chooses which to send again.
            self.valid_files = []
            raise forms.ValidationError(str(exc)) from None
        return self.valid_files


class NoNirMixin(forms.Form):
    """Refuses a social security number (NIR) in every text field, with no override."""

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        for name, value in list(cleaned.items()):
            if isinstance(value, str) and identity.find_nir(value):
                self.add_error(name, identity.NIR_REFUSED)
        return cleaned


class IdentityCheckMixin(NoNirMixin):
    """Warns when free text looks like a patient's identity (a phone number, a birth date
    next to a name); the author confirms or edits. A NIR is refused (``NoNirMixin``)."""

    identity_text_fields: tuple[str, ...] = ("question",)
    identity_ok = forms.BooleanField(
        required=False,
        label=_("J'ai vérifié : ce texte ne contient pas l'identité du patient."),
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        self.check_identity()
        return cleaned

    def check_identity(self) -> None:
        self.identity_findings: list[identity.Finding] = []
        for name in self.identity_text_fields:
            text = self.cleaned_data.get(name) or ""
            self.identity_findings += [
                found for found in identity.find_identity(str(text)) if found.kind != "nir"
            ]
        if self.identity_findings and not self.cleaned_data.get("identity_ok"):
            self.add_error(
                self.identity_text_fields[0],
                _(
                    "Votre texte semble contenir %(what)s. Retirez toute donnée qui identifie "
                    "le patient, ou cochez la case de vérification si ce n'en est pas."
                )
                % {"what": identity.describe(self.identity_findings)},
            )


PICKER_HELP = _(
    "Plusieurs choix possibles : tapez quelques lettres pour chercher (les accents sont "
    "ignorés), Entrée pour ajouter. Sans JavaScript : touche Ctrl ou Cmd et clic."
)


class AgentPicker(FastSelectMultiple):
    """A multi-select of antibacterials that picker.js turns into a searchable list."""

    def __init__(self) -> None:
        super().__init__(
            attrs={
                "size": 6,
                "data-picker": "search",
                "data-placeholder": _("Tapez pour chercher un antibiotique…"),
                "data-remove-label": _("Retirer"),
                "data-no-results": _("Aucun antibiotique ne correspond."),
            }
        )


def _context_fields() -> dict[str, forms.Field]:
    choices = agent_choices()
    return {
        "profession": forms.ChoiceField(
            label=_("Votre profession"), choices=BLANK + codes.Profession.choices
        ),
        "setting": forms.ChoiceField(
            label=_("Lieu de prise en charge du patient"), choices=BLANK + codes.Setting.choices
        ),
        "syndrome": forms.ChoiceField(
            label=_("Syndrome ou site infectieux"), choices=BLANK + codes.Syndrome.choices
        ),
        "organism": forms.CharField(
            label=_("Bactérie identifiée, si elle est connue"), max_length=120, required=False
        ),
        "resistance": forms.ChoiceField(
            label=_("Résistance connue"), choices=codes.Resistance.choices, initial="unknown"
        ),
        "agents_considered": forms.MultipleChoiceField(
            label=_("Antibiotiques envisagés"),
            choices=choices,
            required=False,
            widget=AgentPicker(),
            help_text=PICKER_HELP,
        ),
        "agents_given": forms.MultipleChoiceField(
            label=_("Antibiotiques déjà donnés"),
            choices=choices,
            required=False,
            widget=AgentPicker(),
            help_text=PICKER_HELP,
        ),
        "allergy": forms.ChoiceField(
            label=_("Allergie aux antibiotiques"), choices=codes.Allergy.choices, initial="unknown"
        ),
        "allergy_detail": forms.CharField(
            label=_("Précision sur l'allergie"), max_length=200, required=False
        ),
        "renal_function": forms.ChoiceField(
            label=_("Fonction rénale"), choices=codes.RenalFunction.choices, initial="unknown"
        ),
        "pregnancy": forms.ChoiceField(
            label=_("Grossesse ou allaitement"),
            choices=codes.Pregnancy.choices,
            initial="not_applicable",
        ),
        "age_band": forms.ChoiceField(
            label=_("Tranche d'âge du patient"), choices=BLANK + codes.AgeBand.choices
        ),
        "sex": forms.ChoiceField(
            label=_("Sexe du patient"),
            choices=BLANK + codes.Sex.choices,
        ),
    }


class RequestForm(AttachmentsMixin, IdentityCheckMixin, forms.Form):
    """The public request form: the professional, the coded context, the question."""

    identity_text_fields = ("question", "organism", "allergy_detail")

    requester_name = forms.CharField(
        label=_("Votre nom"),
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
        help_text=_("Le vôtre, professionnel de santé : jamais celui du patient."),
    )
    requester_email = forms.EmailField(
        label=_("Votre adresse électronique"),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        help_text=_("Un lien de confirmation y est envoyé, puis la réponse."),
    )
    requester_phone = forms.CharField(
        label=_("Votre téléphone professionnel (facultatif)"),
        max_length=30,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "tel", "type": "tel"}),
        help_text=_("Pour que l'infectiologue puisse vous rappeler."),
    )
    departement = DepartementField()
    question = forms.CharField(
        label=_("Votre question"),
        widget=forms.Textarea(attrs={"rows": 8}),
        max_length=5000,
        help_text=_(
            "Décrivez la situation clinique et votre question. N'écrivez ni nom, ni date de "
            "naissance, ni numéro de sécurité sociale ou de téléphone du patient."
        ),
    )
    pending_files = forms.CharField(required=False, widget=forms.HiddenInput)

    field_order = [
        "requester_name",
        "requester_email",
        "requester_phone",
        "profession",
        "setting",
        "departement",
        "syndrome",
        "organism",
        "resistance",
        "agents_considered",
        "agents_given",
        "allergy",
        "allergy_detail",
        "renal_function",
        "pregnancy",
        "age_band",
        "sex",
        "question",
        "attachments",
        "identity_ok",
    ]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields.update(_context_fields())
        self.order_fields(self.field_order)
        departement = self.fields["departement"]
        assert isinstance(departement, DepartementField)
        departement.load()
        speed_up(self)

    @property
    def pending(self) -> list[uploads.PendingFile]:
        return uploads.read_pending(str(self.data.get("pending_files", "")))

    def request_fields(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "channel": codes.Channel.WEB,
            "requester_name": data["requester_name"],
            "requester_email": data["requester_email"],
            "requester_phone": data["requester_phone"],
            "profession": data["profession"],
            "setting": data["setting"],
            "departement": data["departement"],
            "syndrome": data["syndrome"],
            "organism": data["organism"],
            "resistance": data["resistance"],
            "agents_considered": list(data["agents_considered"]),
            "agents_given": list(data["agents_given"]),
            "allergy": data["allergy"],
            "allergy_detail": data["allergy_detail"],
            "renal_function": data["renal_function"],
            "pregnancy": data["pregnancy"],
            "age_band": data["age_band"],
            "sex": data["sex"],
            "question": data["question"],
            "identity_confirmed": bool(data.get("identity_ok")),
        }


class VersionForm(forms.Form):
    """The version of the request the person was looking at (optimistic locking).

    Several forms share the request page: each has its own ``id_prefix`` so that
    labels point to their own fields (names stay plain).
    """

    id_prefix = ""
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", f"{self.id_prefix}%s" if self.id_prefix else False)
        super().__init__(*args, **kwargs)


class CloseForm(VersionForm):
    """Close a request: the reason is required when no advice was given (checked by the
    model, which knows whether one was)."""

    id_prefix = "cloture-"
    reason = forms.CharField(
        label=_("Motif de clôture"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Obligatoire si aucun avis n'a été donné (doublon, réglé par téléphone…)."),
    )


class AnswerFieldsMixin(forms.Form):
    AGENT_ROWS = 3

    recommendation = forms.ChoiceField(
        label=_("Recommandation"), choices=BLANK + codes.Recommendation.choices
    )
    duration_days = forms.IntegerField(
        label=_("Durée de traitement recommandée (jours)"),
        required=False,
        min_value=1,
        max_value=365,
    )
    text = forms.CharField(
        label=_("Avis"),
        widget=forms.Textarea(attrs={"rows": 8}),
        max_length=10000,
    )

    def add_agent_fields(self) -> None:
        choices = BLANK + agent_choices()
        for row in range(1, self.AGENT_ROWS + 1):
            self.fields[f"agent_{row}"] = forms.ChoiceField(
                label=_("Antibiotique recommandé %(n)s") % {"n": row},
                choices=choices,
                required=False,
                widget=FastSelect,
            )
            self.fields[f"route_{row}"] = forms.ChoiceField(
                label=_("Voie %(n)s") % {"n": row},
                choices=codes.Route.choices,
                initial=codes.Route.ORAL,
                required=False,
            )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        for row in range(1, self.AGENT_ROWS + 1):
            atc = cleaned.get(f"agent_{row}")
            route = cleaned.get(f"route_{row}") or codes.Route.ORAL
            if atc:
                problem = route_problem(atc, route)
                if problem:
                    self.add_error(f"route_{row}", problem)
        return cleaned

    def agents(self) -> list[AgentChoice]:
        chosen = []
        for row in range(1, self.AGENT_ROWS + 1):
            atc = self.cleaned_data.get(f"agent_{row}")
            if atc:
                route = self.cleaned_data.get(f"route_{row}") or codes.Route.ORAL
                chosen.append(AgentChoice(atc=atc, route=route))
        return chosen

    def agent_rows(self) -> list[tuple[forms.BoundField, forms.BoundField]]:
        return [(self[f"agent_{n}"], self[f"route_{n}"]) for n in range(1, self.AGENT_ROWS + 1)]


class AnswerForm(AnswerFieldsMixin, IdentityCheckMixin, VersionForm):
    id_prefix = "answer-"
    identity_text_fields = ("text",)

    #: The guidelines the answer points to (cratb/guidelines): versions in force only.
    documents = forms.ModelMultipleChoiceField(
        label=_("Recommandations citées"),
        queryset=Document.objects.none(),
        required=False,
        help_text=_("Le demandeur verra leur lien sous l'avis."),
        widget=forms.SelectMultiple(attrs={"class": "select--wide", "size": 6}),
    )
    pathways = forms.ModelMultipleChoiceField(
        label=_("Fiches parcours citées"),
        queryset=Pathway.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"class": "select--wide", "size": 4}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.add_agent_fields()
        speed_up(self)
        self.fields["documents"].queryset = Document.objects.current().order_by("title")  # type: ignore[attr-defined]
        self.fields["pathways"].queryset = Pathway.objects.all()  # type: ignore[attr-defined]


class AskForm(IdentityCheckMixin, VersionForm):
    id_prefix = "ask-"
    identity_text_fields = ("text",)
    text = forms.CharField(
        label=_("Question au demandeur"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=5000,
    )


class ReplyForm(IdentityCheckMixin, forms.Form):
    identity_text_fields = ("text",)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "reply-%s")
        super().__init__(*args, **kwargs)

    text = forms.CharField(
        label=_("Votre réponse"), widget=forms.Textarea(attrs={"rows": 5}), max_length=5000
    )


class RequesterAttachForm(AttachmentsMixin, forms.Form):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "attach-%s")
        super().__init__(*args, **kwargs)


class ReassignForm(NoNirMixin, VersionForm):
    id_prefix = "reassign-"
    to = forms.ModelChoiceField(label=_("Confier à"), queryset=User.objects.none())
    note = forms.CharField(label=_("Message (facultatif)"), required=False, max_length=1000)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["to"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = (
            User.objects.filter(role__in=RESPONDER_ROLES, is_active=True)
            .only("pk", "username", "first_name", "last_name", "role")
            .order_by("last_name", "first_name", "username")
        )
        field.label_from_instance = lambda u: (  # type: ignore[method-assign,assignment]
            f"{u.get_full_name() or u.username} — {codes.label(Role, u.role)}"
        )
        speed_up(self)


CODING_FIELDS = (
    "profession",
    "setting",
    "syndrome",
    "organism",
    "resistance",
    "agents_considered",
    "agents_given",
    "allergy",
    "renal_function",
    "pregnancy",
    "age_band",
    "sex",
)


class CodingForm(NoNirMixin, VersionForm):
    """A responder corrects the coded context (not the requester's words)."""

    id_prefix = "coding-"

    departement = DepartementField()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        fields = _context_fields()
        for name in CODING_FIELDS:
            self.fields[name] = fields[name]
        departement = self.fields["departement"]
        assert isinstance(departement, DepartementField)
        departement.load()
        speed_up(self)

    @classmethod
    def initial_for(cls, request: AdviceRequest) -> dict[str, Any]:
        initial: dict[str, Any] = {name: getattr(request, name) for name in CODING_FIELDS}
        initial["departement"] = request.departement.code
        initial["version"] = request.version
        return initial

    def changes(self) -> dict[str, Any]:
        data = self.cleaned_data
        out: dict[str, Any] = {name: data[name] for name in CODING_FIELDS}
        out["agents_considered"] = list(data["agents_considered"])
        out["agents_given"] = list(data["agents_given"])
        out["departement"] = data["departement"]
        return out


class SurveyForm(NoNirMixin, forms.Form):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "survey-%s")
        super().__init__(*args, **kwargs)

    followed = forms.ChoiceField(
        label=_("L'avis a-t-il été suivi ?"),
        choices=codes.Followed.choices,
        widget=forms.RadioSelect,
    )
    outcome = forms.ChoiceField(
        label=_("Comment le patient a-t-il évolué ?"),
        choices=codes.Outcome.choices,
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label=_("Commentaire (facultatif)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class PhoneAdviceForm(AnswerFieldsMixin, IdentityCheckMixin, forms.Form):
    """A request answered by phone, recorded in one form with the same coding."""

    identity_text_fields = ("question", "text", "organism")

    channel = forms.ChoiceField(
        label=_("Canal"),
        choices=[
            (codes.Channel.PHONE, codes.Channel.PHONE.label),
            (codes.Channel.TELE_EXPERTISE, codes.Channel.TELE_EXPERTISE.label),
            (codes.Channel.EMAIL, codes.Channel.EMAIL.label),
        ],
        initial=codes.Channel.PHONE,
    )
    received_at = forms.DateTimeField(
        label=_("Appel reçu le"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%d/%m/%Y %H:%M"],
    )
    requester_name = forms.CharField(
        label=_("Nom du demandeur (facultatif)"), max_length=150, required=False
    )
    requester_email = forms.EmailField(
        label=_("Courriel du demandeur (facultatif : il y reçoit l'avis écrit)"), required=False
    )
    requester_phone = forms.CharField(
        label=_("Téléphone du demandeur (facultatif)"), max_length=30, required=False
    )
    departement = DepartementField()
    question = forms.CharField(
        label=_("Question (résumé)"), widget=forms.Textarea(attrs={"rows": 3}), max_length=5000
    )
    close = forms.BooleanField(label=_("Clore la demande"), required=False, initial=True)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, field in _context_fields().items():
            if name in ("allergy_detail",):
                continue
            self.fields[name] = field
        self.add_agent_fields()
        departement = self.fields["departement"]
        assert isinstance(departement, DepartementField)
        departement.load()
        speed_up(self)
        if not self.is_bound:
            self.initial.setdefault(
                "received_at", timezone.localtime().replace(second=0, microsecond=0)
            )

    def clean_received_at(self) -> datetime:
        value: datetime = self.cleaned_data["received_at"]
        if value > timezone.now():
            raise forms.ValidationError(_("La date de l'appel ne peut pas être dans le futur."))
        return value

    def request_fields(self) -> dict[str, Any]:
        data = self.cleaned_data
        names = (
            "channel",
            "requester_name",
            "requester_email",
            "requester_phone",
            "profession",
            "setting",
            "departement",
            "syndrome",
            "organism",
            "resistance",
            "allergy",
            "renal_function",
            "pregnancy",
            "age_band",
            "sex",
            "question",
        )
        fields = {name: data[name] for name in names}
        fields["agents_considered"] = list(data["agents_considered"])
        fields["agents_given"] = list(data["agents_given"])
        return fields


class ParisDateTimeField(forms.DateTimeField):
    """A Paris wall-clock time within the rota's years, refused with a French reason when
    it does not exist or happens twice (``rota.local_time_problem``)."""

    def to_python(self, value: Any) -> datetime | None:
        from cratb.advice import rota

        if value in self.empty_values:
            return None
        if isinstance(value, datetime):
            return value
        text = str(value).strip()
        for fmt in self.input_formats:
            try:
                naive = datetime.strptime(text, fmt)
            except ValueError:
                continue
            problem = rota.year_problem(naive) or rota.local_time_problem(naive)
            if problem:
                raise forms.ValidationError(problem[0].upper() + problem[1:] + ".")
            return naive.replace(tzinfo=PARIS)
        raise forms.ValidationError(self.error_messages["invalid"], code="invalid")


class ShiftForm(forms.Form):
    departement = DepartementField(label=_("Département"))
    responder = forms.ModelChoiceField(
        label=_("Infectiologue d'astreinte"), queryset=User.objects.none()
    )
    team = forms.ModelChoiceField(
        label=_("Équipe (facultatif : sinon celle de l'infectiologue)"),
        queryset=Organization.objects.none(),
        required=False,
    )
    starts_at = ParisDateTimeField(
        label=_("Début"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
    )
    ends_at = ParisDateTimeField(
        label=_("Fin"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        responder = self.fields["responder"]
        assert isinstance(responder, forms.ModelChoiceField)
        responder.queryset = User.objects.filter(role__in=RESPONDER_ROLES, is_active=True).order_by(
            "last_name", "first_name", "username"
        )
        responder.label_from_instance = lambda u: u.get_full_name() or u.username  # type: ignore[method-assign,assignment]
        team = self.fields["team"]
        assert isinstance(team, forms.ModelChoiceField)
        team.queryset = Organization.objects.filter(
            kind__in=(Organization.Kind.EMA, Organization.Kind.HOSPITAL, Organization.Kind.CRATB)
        ).order_by("name")
        departement = self.fields["departement"]
        assert isinstance(departement, DepartementField)
        departement.load()

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        starts, ends = cleaned.get("starts_at"), cleaned.get("ends_at")
        if starts and ends and ends <= starts:
            self.add_error("ends_at", _("La fin doit suivre le début."))
        return cleaned


class RotaImportForm(forms.Form):
    file = LimitedFileField(
        "CRATB_SPREADSHEET_MAX_MB",
        label=_("Fichier CSV du planning"),
        help_text=_(
            "Colonnes : departement, responder (identifiant ou courriel), starts_at, ends_at "
            "(AAAA-MM-JJ HH:MM, heure de Paris), team (facultatif)."
        ),
    )


class RedactionForm(forms.Form):
    """A passage the coordination removes from a request, and why. The passage may hold
    a NIR (that is what is removed); the reason may not."""

    passage = forms.CharField(
        label=_("Passage à supprimer"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=5000,
        help_text=_(
            "Copiez-le tel qu'il est écrit (majuscules et espaces comprises) : il est "
            "remplacé partout où il figure dans cette demande."
        ),
    )
    reason = forms.CharField(
        label=_("Motif"),
        max_length=300,
        help_text=_(
            "Par exemple « nom du patient ». Il reste dans l'historique : n'y recopiez pas "
            "le passage."
        ),
    )

    def clean_reason(self) -> str:
        reason: str = self.cleaned_data["reason"]
        if identity.find_nir(reason):
            raise forms.ValidationError(identity.NIR_REFUSED)
        return reason
