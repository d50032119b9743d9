"""Members of the network: their accounts, tiers, function roles, invitations and API tokens."""

from __future__ import annotations

import hashlib
from datetime import timedelta

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from solnet.core.crypto import BlindIndexField, EncryptedTextField
from solnet.core.data import (
    CONTACT,
    DELETE,
    INTERNAL,
    KEEP,
    PERSONAL,
    SECRET,
    DataPolicy,
    Retention,
)
from solnet.core.models import new_public_id


def token_digest(token: str) -> str:
    """Invitation links and API tokens are kept only as this digest."""
    return hashlib.sha256(token.encode()).hexdigest()


class Tier(models.IntegerChoices):
    """How involved someone is (DOMAIN.md §5). A role, not a rank: it sets what they are asked
    to do and which details of others they need."""

    SUPPORTER = 10, _("List supporter")
    PHONE_TREE = 20, _("Phone tree")
    MEMBER = 30, _("Member")
    ORGANIZING_TEAM = 40, _("Organizing team")


class Role(models.TextChoices):
    """Function roles a member holds for the network, granted by the network."""

    FUND_COMMITTEE = "fund_committee", _("Fund committee")
    DISPATCHER = "dispatcher", _("Hotline dispatcher")
    VERIFIER = "verifier", _("Verifier")
    FACILITATOR = "facilitator", _("Facilitator")
    NOTE_TAKER = "note_taker", _("Note-taker")
    LEGAL_OBSERVER_COORDINATOR = "lo_coordinator", _("Legal observer coordinator")


# Roles whose work means reading other people's contact details.
ROLES_READING_CONTACTS = frozenset({Role.FUND_COMMITTEE, Role.DISPATCHER})
# Roles (and the organizing-team tier) that only a second member or a decision can grant.
GUARDED_ROLES = frozenset({Role.FUND_COMMITTEE, Role.DISPATCHER})


class MemberQuerySet(models.QuerySet):
    def active(self):
        return self.filter(is_active=True, status=Member.Status.ACTIVE)

    def pending(self):
        return self.filter(is_active=True, status=Member.Status.PENDING)


class MemberManager(BaseUserManager.from_queryset(MemberQuerySet)):  # type: ignore[misc]
    use_in_migrations = True

    def get_by_natural_key(self, username):
        return self.get(username__iexact=username)


class Member(AbstractBaseUser):
    """A person with an account in this network."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for approval")
        ACTIVE = "active", _("Active")

    public_id = models.CharField(
        max_length=24, unique=True, default=new_public_id, help_text="Random id used in URLs"
    )
    username = models.CharField(
        _("sign-in name"),
        max_length=40,
        unique=True,
        validators=[UnicodeUsernameValidator()],
        help_text=_("What you type to sign in. It need not be your real name."),
    )
    display_name = models.CharField(
        _("display name"),
        max_length=80,
        help_text=_("How other members see you: a first name or a nickname is enough."),
    )
    tier = models.PositiveSmallIntegerField(
        _("tier"), choices=Tier.choices, default=Tier.MEMBER, help_text=_("How involved you are")
    )
    status = models.CharField(
        max_length=10,
        choices=Status.choices,
        default=Status.PENDING,
        help_text="Pending until the members the network asks for have approved the joiner",
    )
    is_active = models.BooleanField(
        default=True, help_text="False once deactivated: no sign-in, every session ended"
    )
    is_founder = models.BooleanField(
        default=False, help_text="Joined through the founding invitation"
    )
    joined_at = models.DateTimeField(default=timezone.now, help_text="When they joined")
    approved_at = models.DateTimeField(null=True, blank=True, help_text="When they were approved")
    preferred_language = models.CharField(
        _("language"), max_length=8, blank=True, help_text=_("The language SolNet speaks to you")
    )
    email = EncryptedTextField(
        _("email"), null=True, blank=True, help_text=_("Only if you want messages by email")
    )
    email_index = BlindIndexField(source="email", normalizer="email")
    phone = EncryptedTextField(
        _("phone"), null=True, blank=True, help_text=_("Only if you want calls or texts")
    )
    phone_index = BlindIndexField(source="phone", normalizer="phone")
    contacts_hidden = models.BooleanField(
        default=False,
        help_text="Set by the member's panic button: nobody sees their contact details",
    )
    session_epoch = models.PositiveIntegerField(
        default=0, help_text="Raised to end every session of this member at once"
    )
    invited_by = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="Who invited them",
    )

    objects = MemberManager()

    USERNAME_FIELD = "username"
    REQUIRED_FIELDS = ["display_name"]

    data_policy = DataPolicy(
        sensitivity={
            "id": INTERNAL,
            "public_id": INTERNAL,
            "password": SECRET,
            "last_login": PERSONAL,
            "username": PERSONAL,
            "display_name": PERSONAL,
            "tier": PERSONAL,
            "status": PERSONAL,
            "is_active": PERSONAL,
            "is_founder": PERSONAL,
            "joined_at": PERSONAL,
            "approved_at": PERSONAL,
            "preferred_language": PERSONAL,
            "email": CONTACT,
            "email_index": CONTACT,
            "phone": CONTACT,
            "phone_index": CONTACT,
            "contacts_hidden": PERSONAL,
            "session_epoch": INTERNAL,
            "invited_by": PERSONAL,
        },
        retention=Retention(
            action=KEEP,
            reason="An account lives as long as the person is a member; leaving or being "
            "removed deletes it (people issue: the member's own deletion request).",
        ),
    )

    class Meta:
        ordering = ["display_name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(tier__in=[t.value for t in Tier]), name="member_tier_valid"
            )
        ]

    def __str__(self) -> str:
        return self.display_name or self.username

    @property
    def is_staff(self) -> bool:
        # No one is staff: there is no admin site.
        return False

    @property
    def is_superuser(self) -> bool:
        return False

    def has_perm(self, perm, obj=None) -> bool:
        return False

    def has_module_perms(self, app_label) -> bool:
        return False

    def get_full_name(self) -> str:
        return self.display_name

    def get_short_name(self) -> str:
        return self.display_name

    @property
    def is_approved(self) -> bool:
        return self.status == self.Status.ACTIVE

    def role_set(self) -> frozenset[str]:
        cached = getattr(self, "_roles_cache", None)
        if cached is None:
            cached = frozenset(self.role_grants.values_list("role", flat=True))
            self._roles_cache = cached
        return cached

    def has_role(self, role: str) -> bool:
        return role in self.role_set()


class RoleGrant(models.Model):
    """A member holds a function role."""

    member = models.ForeignKey(
        Member, on_delete=models.CASCADE, related_name="role_grants", help_text="Who holds it"
    )
    role = models.CharField(max_length=20, choices=Role.choices, help_text="Which role")
    granted_at = models.DateTimeField(default=timezone.now, help_text="Since when")
    granted_by = models.ForeignKey(
        Member,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="Who granted it",
    )

    data_policy = DataPolicy(
        sensitivity={
            "id": INTERNAL,
            "member": PERSONAL,
            "role": PERSONAL,
            "granted_at": PERSONAL,
            "granted_by": PERSONAL,
        },
        retention=Retention(action=KEEP, reason="Held until revoked; deleted with the member."),
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["member", "role"], name="one_grant_per_role")
        ]

    def __str__(self) -> str:
        return f"{self.member} — {self.get_role_display()}"


class InvitationQuerySet(models.QuerySet):
    def usable(self):
        return self.filter(
            used_at__isnull=True, revoked_at__isnull=True, expires_at__gt=timezone.now()
        )


class Invitation(models.Model):
    """A single-use, expiring, revocable link to join the network."""

    public_id = models.CharField(
        max_length=24, unique=True, default=new_public_id, help_text="Random id used in URLs"
    )
    token_digest = models.CharField(
        max_length=64, unique=True, help_text="SHA-256 of the link's secret; the secret is not kept"
    )
    label = models.CharField(
        _("note for yourselves"),
        max_length=80,
        blank=True,
        help_text=_("So you remember who it is for, e.g. “Ana from the Tuesday meeting”."),
    )
    tier = models.PositiveSmallIntegerField(
        _("tier"), choices=Tier.choices, default=Tier.MEMBER, help_text=_("Tier the joiner gets")
    )
    is_founding = models.BooleanField(
        default=False, help_text="The link that creates the network's first member"
    )
    email = EncryptedTextField(
        _("send it by email"),
        null=True,
        blank=True,
        help_text=_("Optional. You can also copy the link and send it through Signal."),
    )
    created_by = models.ForeignKey(
        Member,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="invitations_made",
        help_text="Member who made it",
    )
    created_at = models.DateTimeField(default=timezone.now, help_text="When it was made")
    expires_at = models.DateTimeField(help_text="After this the link no longer works")
    used_at = models.DateTimeField(null=True, blank=True, help_text="When someone joined with it")
    used_by = models.ForeignKey(
        Member,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="Who joined with it",
    )
    revoked_at = models.DateTimeField(null=True, blank=True, help_text="When it was revoked")

    objects = InvitationQuerySet.as_manager()

    data_policy = DataPolicy(
        sensitivity={
            "id": INTERNAL,
            "public_id": INTERNAL,
            "token_digest": SECRET,
            "label": PERSONAL,
            "tier": INTERNAL,
            "is_founding": INTERNAL,
            "email": CONTACT,
            "created_by": PERSONAL,
            "created_at": INTERNAL,
            "expires_at": INTERNAL,
            "used_at": INTERNAL,
            "used_by": PERSONAL,
            "revoked_at": INTERNAL,
        },
        retention=Retention(
            action=DELETE,
            reason="An invitation is only needed until it is used, revoked or expired.",
            period=timedelta(days=30),
            basis="expires_at",
        ),
    )

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.label or self.public_id

    @property
    def state(self) -> str:
        if self.used_at:
            return "used"
        if self.revoked_at:
            return "revoked"
        if self.expires_at <= timezone.now():
            return "expired"
        return "open"

    def get_state_display(self) -> str:
        return {  # type: ignore[return-value]  # lazy strings render as text
            "used": _("Used"),
            "revoked": _("Revoked"),
            "expired": _("Expired"),
            "open": _("Open"),
        }[self.state]


class JoinApproval(models.Model):
    """An existing member vouches for a joiner."""

    joiner = models.ForeignKey(
        Member, on_delete=models.CASCADE, related_name="join_approvals", help_text="The joiner"
    )
    approver = models.ForeignKey(
        Member, on_delete=models.CASCADE, related_name="+", help_text="Who approved"
    )
    approved_at = models.DateTimeField(default=timezone.now, help_text="When")

    data_policy = DataPolicy(
        sensitivity={
            "id": INTERNAL,
            "joiner": PERSONAL,
            "approver": PERSONAL,
            "approved_at": PERSONAL,
        },
        retention=Retention(
            action=DELETE,
            reason="Needed while the joiner waits; the audit log keeps that it happened.",
            period=timedelta(days=90),
            basis="approved_at",
        ),
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["joiner", "approver"], name="one_approval_each"),
            models.CheckConstraint(
                condition=~models.Q(joiner=models.F("approver")), name="no_self_approval"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.approver} approved {self.joiner}"


class ApiScope(models.TextChoices):
    ME_READ = "me:read", _("Read my own profile")
    ME_WRITE = "me:write", _("Change my own profile")
    MEMBERS_READ = "members:read", _("Read the members I can see")
    NETWORK_READ = "network:read", _("Read the network's settings")
    PEOPLE_READ = "people:read", _("Read the people records I can see")
    COUNCILS_READ = "councils:read", _("Read the councils I can see, and their charts")
    COUNCILS_ASSESS = "councils:assess", _("Record support assessments")
    FIGHTS_READ = "fights:read", _("Read the fights I can see, and the leads if I take them")
    DECISIONS_READ = "decisions:read", _("Read the proposals I can see, and their results")
    DECISIONS_VOTE = "decisions:vote", _("Vote on proposals")
    MEETINGS_READ = "meetings:read", _("Read the meetings, delegates and proxies I can see")
    MEETINGS_TAKE_PART = (
        "meetings:take_part",
        _("Attend meetings, ask to speak, give my vote by proxy and report as a delegate"),
    )
    ACTIONS_READ = (
        "actions:read",
        _(
            "Read the actions I can see: shifts, roles, the live count, and who was asked to "
            "those I run"
        ),
    )
    ACTIONS_ANSWER = "actions:answer", _("Answer when I am asked to an action")
    ACTIONS_RUN = "actions:run", _("Add and remove the shifts and roles of the actions I run")
    CALLS_READ = "calls:read", _("Read my calls on call lists, with the numbers to call")
    CALLS_RECORD = "calls:record", _("Record how my calls went")
    ALERTS_READ = "alerts:read", _("Read the rapid-response alerts I can see")
    ALERTS_RESPOND = "alerts:respond", _("Answer the alerts sent to me")
    FUNDS_READ = "funds:read", _("Read the funds, their balances and their reports")
    FUNDS_BOOKS = "funds:books", _("Read the books' accounts and their balances (treasurers)")


class ApiTokenQuerySet(models.QuerySet):
    def usable(self):
        now = timezone.now()
        return self.filter(revoked_at__isnull=True).filter(
            models.Q(expires_at__isnull=True) | models.Q(expires_at__gt=now)
        )


class ApiToken(models.Model):
    """A personal API token: scoped, revocable, shown once."""

    public_id = models.CharField(
        max_length=24, unique=True, default=new_public_id, help_text="Random id used in URLs"
    )
    member = models.ForeignKey(
        Member, on_delete=models.CASCADE, related_name="api_tokens", help_text="Whose token"
    )
    name = models.CharField(
        _("name"), max_length=60, help_text=_("What it is for, e.g. “spreadsheet sync”.")
    )
    scopes = models.JSONField(default=list, help_text="What the token may do")
    token_digest = models.CharField(max_length=64, unique=True, help_text="SHA-256 of the token")
    created_at = models.DateTimeField(default=timezone.now, help_text="When it was made")
    expires_at = models.DateTimeField(null=True, blank=True, help_text="When it stops working")
    revoked_at = models.DateTimeField(null=True, blank=True, help_text="When it was revoked")

    objects = ApiTokenQuerySet.as_manager()

    data_policy = DataPolicy(
        sensitivity={
            "id": INTERNAL,
            "public_id": INTERNAL,
            "member": PERSONAL,
            "name": PERSONAL,
            "scopes": INTERNAL,
            "token_digest": SECRET,
            "created_at": INTERNAL,
            "expires_at": INTERNAL,
            "revoked_at": INTERNAL,
        },
        retention=Retention(
            action=DELETE,
            reason="A revoked or expired token is useless; it is deleted after 30 days.",
            period=timedelta(days=30),
            basis="created_at",
            applies_to="solnet.members.models.dead_tokens",
        ),
    )

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.name


def dead_tokens() -> models.Q:
    now = timezone.now()
    return models.Q(revoked_at__lt=now - timedelta(days=30)) | models.Q(
        expires_at__lt=now - timedelta(days=30)
    )


class PasswordReset(models.Model):
    """A one-time link an organizer makes for a member who lost their password. It sets a new
    password and nothing more: signing in still takes the member's second factor."""

    member = models.ForeignKey(
        Member, on_delete=models.CASCADE, related_name="password_resets", help_text="For whom"
    )
    token_digest = models.CharField(
        max_length=64, unique=True, help_text="SHA-256 of the link's secret; the secret is not kept"
    )
    created_by = models.ForeignKey(
        Member,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="The organizer who made it",
    )
    created_at = models.DateTimeField(default=timezone.now, help_text="When it was made")
    expires_at = models.DateTimeField(help_text="After this the link no longer works")
    used_at = models.DateTimeField(null=True, blank=True, help_text="When the password was set")
    revoked_at = models.DateTimeField(
        null=True, blank=True, help_text="When a newer link replaced it"
    )

    data_policy = DataPolicy(
        sensitivity={
            "id": INTERNAL,
            "member": PERSONAL,
            "token_digest": SECRET,
            "created_by": PERSONAL,
            "created_at": INTERNAL,
            "expires_at": INTERNAL,
            "used_at": INTERNAL,
            "revoked_at": INTERNAL,
        },
        retention=Retention(
            action=DELETE,
            reason="A reset link matters only until it is used or expires; the audit log "
            "keeps who made it and when.",
            period=timedelta(days=30),
            basis="expires_at",
        ),
    )

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"password reset for {self.member_id}"
