"""What people can do and when: skills and trainings, weekly availability."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from solnet.core.data import INTERNAL, KEEP, PERSONAL, DataPolicy, Retention
from solnet.people.models.people import Person


class Skill(models.TextChoices):
    """Skills and trainings the network counts on (DOMAIN.md §5)."""

    MARSHAL = "marshal", _("Marshal")
    MARSHAL_CAPTAIN = "marshal_captain", _("Marshal captain")
    POLICE_LIAISON = "police_liaison", _("Police liaison")
    LEGAL_OBSERVER = "legal_observer", _("Legal observer")
    COPWATCH = "copwatch", _("Copwatch")
    MEDIC = "medic", _("Medic")
    INTERPRETER = "interpreter", _("Interpreter")
    DRIVER = "driver", _("Driver")
    RESEARCHER = "researcher", _("Researcher")
    POSTER_CREW = "poster_crew", _("Poster crew")
    CALLER = "caller", _("Caller")
    FACILITATOR = "facilitator", _("Facilitator")
    NOTE_TAKER = "note_taker", _("Note-taker")
    DISPATCHER = "dispatcher", _("Hotline dispatcher")
    VERIFIER = "verifier", _("Verifier")


class PersonSkill(models.Model):
    """Someone has a skill, maybe with a training and its date."""

    person = models.ForeignKey(
        Person, on_delete=models.CASCADE, related_name="skills", help_text="Who"
    )
    skill = models.CharField(_("skill"), max_length=20, choices=Skill.choices, help_text="")
    trained_on = models.DateField(
        _("trained on"), null=True, blank=True, help_text=_("Date of the training, if any")
    )

    data_policy = DataPolicy(
        sensitivity={"id": INTERNAL, "person": PERSONAL, "skill": PERSONAL, "trained_on": PERSONAL},
        retention=Retention(action=KEEP, reason="Part of the person's record."),
    )

    class Meta:
        verbose_name = _("skill")
        verbose_name_plural = _("skills")
        ordering = ["skill"]
        constraints = [models.UniqueConstraint(fields=["person", "skill"], name="one_skill_each")]

    def __str__(self) -> str:
        return self.get_skill_display()


class Weekday(models.IntegerChoices):
    MONDAY = 0, _("Monday")
    TUESDAY = 1, _("Tuesday")
    WEDNESDAY = 2, _("Wednesday")
    THURSDAY = 3, _("Thursday")
    FRIDAY = 4, _("Friday")
    SATURDAY = 5, _("Saturday")
    SUNDAY = 6, _("Sunday")


class Availability(models.Model):
    """A weekly window when someone can usually come."""

    person = models.ForeignKey(
        Person, on_delete=models.CASCADE, related_name="availability", help_text="Who"
    )
    weekday = models.PositiveSmallIntegerField(_("day"), choices=Weekday.choices, help_text="")
    starts = models.TimeField(_("from"), help_text="")
    ends = models.TimeField(_("until"), help_text="")

    data_policy = DataPolicy(
        sensitivity={
            "id": INTERNAL,
            "person": PERSONAL,
            "weekday": PERSONAL,
            "starts": PERSONAL,
            "ends": PERSONAL,
        },
        retention=Retention(action=KEEP, reason="Part of the person's record."),
    )

    class Meta:
        verbose_name = _("availability window")
        verbose_name_plural = _("availability windows")
        ordering = ["weekday", "starts"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends__gt=models.F("starts")),
                name="availability_ends_after_it_starts",
            ),
            models.CheckConstraint(condition=models.Q(weekday__lte=6), name="weekday_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.starts:%H:%M} - {self.ends:%H:%M}"
