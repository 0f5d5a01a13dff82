"""The errors infra/ raises."""

from __future__ import annotations

__all__ = [
    "FetchError",
    "InfraError",
    "JavaNotFoundError",
    "KafkaAuthenticationError",
    "KafkaTlsError",
    "ServerStartError",
]


class InfraError(Exception):
    """Base of every error infra/ raises on purpose."""


class JavaNotFoundError(InfraError):
    """No usable Java (17 or 21) where infra/ was told to look."""


class FetchError(InfraError):
    """Maven could not resolve or copy a server's jars."""


class ServerStartError(InfraError):
    """A server did not become ready; the message ends with the tail of its log."""

    def __init__(self, message: str, log_tail: str = "") -> None:
        self.log_tail = log_tail
        text = message if not log_tail else f"{message}\n--- log tail ---\n{log_tail}"
        super().__init__(text)


class KafkaAuthenticationError(InfraError):
    """The broker refused a principal's SASL credentials."""


class KafkaTlsError(InfraError):
    """The broker's certificate did not verify against the client's CA (or host name)."""
