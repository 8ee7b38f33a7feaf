"""The sign-in and password forms of the portal, in the words a village treasurer uses.

Django's own Indonesian messages say "sandi" and repeat the field name ("nama pengguna nama
pengguna"); these subclasses only replace the messages, never the checks.
"""

from typing import Any

from django.contrib.auth.forms import AuthenticationForm, PasswordChangeForm
from django.contrib.auth.password_validation import (
    MinimumLengthValidator,
    get_default_password_validators,
)
from django.utils.translation import gettext_lazy as _


class PortalAuthenticationForm(AuthenticationForm):
    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": _(
            "The user name or password is wrong. Check capital and small letters too."
        ),
        "inactive": _("This account has been switched off. Ask your admin."),
    }


class PortalPasswordChangeForm(PasswordChangeForm):
    error_messages = {
        **PasswordChangeForm.error_messages,
        "password_incorrect": _("Your current password is wrong. Type it again."),
        "password_mismatch": _("The two new passwords are not the same."),
    }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        minimum = max(
            (
                validator.min_length
                for validator in get_default_password_validators()
                if isinstance(validator, MinimumLengthValidator)
            ),
            default=8,
        )
        # One plain sentence instead of the validators' list of technical rules.
        self.fields["new_password1"].help_text = _(
            "At least %(minimum)s characters. Not only digits, not a common password, not like "
            "your name, and without words such as “koperasi” or “kaltim”."
        ) % {"minimum": minimum}
        self.fields["new_password2"].help_text = _("Type the new password once more.")
