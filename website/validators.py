from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

# Words anyone would guess first for a cooperative's account.
CONTEXT_WORDS = ("kopdes", "koperasi", "merahputih", "kaltim", "kalimantan", "password", "sandi")


class ContextWordsValidator:
    """Refuse passwords built on the name of the programme, the province or the app."""

    def validate(self, password: str, user: object = None) -> None:
        folded = "".join(ch for ch in password.lower() if ch.isalnum())
        for word in CONTEXT_WORDS:
            if word in folded:
                raise ValidationError(
                    _("The password must not contain the word “%(word)s”.") % {"word": word},
                    code="password_context_word",
                )

    def get_help_text(self) -> str:
        return _("Your password must not contain words such as “koperasi” or “kaltim”.")
