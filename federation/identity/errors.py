"""Errors of the platform CA and of certificate identities.

ValueError
 └── PkiError                 a refusal of `mulu pki …`: the message names the value and
      │                       what would be accepted
      └── NotIssuable         a subject mulu will not put in a certificate (a credit code
                              with a wrong check character, an instance id it cannot parse)
"""

from __future__ import annotations

__all__ = ["NotIssuable", "PkiError"]


class PkiError(ValueError):
    """The CA directory or a command's argument does not allow what was asked."""


class NotIssuable(PkiError):
    """The subject named is not one mulu issues (or reads) a certificate for."""
