"""How allauth fits SolNet: no open sign-up, second-factor secrets encrypted at rest."""

from __future__ import annotations

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core import context
from allauth.mfa.adapter import DefaultMFAAdapter
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from solnet.core import crypto, keys
from solnet.network.models import Network

MFA_CONTEXT = "mfa.authenticator"


class AccountAdapter(DefaultAccountAdapter):
    # The words the rest of SolNet uses: a "sign-in name", never a "username".
    error_messages = {
        **DefaultAccountAdapter.error_messages,
        "username_password_mismatch": _("The sign-in name or the password is not right."),
    }

    def is_open_for_signup(self, request: HttpRequest) -> bool:
        # People join with an invitation link only.
        return False


class MFAAdapter(DefaultMFAAdapter):
    def encrypt(self, text: str) -> str:
        return crypto.encrypt(text, context=MFA_CONTEXT)

    def decrypt(self, encrypted_text: str) -> str:
        return crypto.decrypt(encrypted_text, context=MFA_CONTEXT)

    def _get_site_name(self) -> str:
        return Network.objects.current().name or "SolNet"

    def get_totp_issuer(self) -> str:
        return self._get_site_name()

    def get_totp_label(self, user) -> str:
        return user.username

    def get_public_key_credential_rp_entity(self) -> dict[str, str]:
        return {
            "id": context.request.get_host().partition(":")[0],
            "name": self._get_site_name(),
        }


# The rotation reaches the second-factor secrets too (they live in allauth's JSON column).
_SECRET_KEYS = ("secret", "seed")


def _iterate_mfa_ciphertexts():
    from allauth.mfa.models import Authenticator

    for authenticator in Authenticator.objects.all().iterator():
        for key in _SECRET_KEYS:
            value = authenticator.data.get(key)
            if isinstance(value, str) and value.startswith(crypto.PREFIX + "$"):
                yield (authenticator.pk, key), value


def _rewrite_mfa_ciphertext(handle, token: str) -> None:
    from allauth.mfa.models import Authenticator

    pk, key = handle
    authenticator = Authenticator.objects.select_for_update().get(pk=pk)
    authenticator.data = {**authenticator.data, key: token}
    authenticator.save(update_fields=["data"])


keys.register_store(
    keys.CiphertextStore(
        name="mfa.authenticator",
        iterate=_iterate_mfa_ciphertexts,
        rewrite=_rewrite_mfa_ciphertext,
        context=MFA_CONTEXT,
    )
)
