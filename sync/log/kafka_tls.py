"""TLS to the brokers (SASL_SSL): the client's `ssl.SSLContext`, and why a connection failed.

aiokafka reports every failed bootstrap alike (``KafkaConnectionError: Unable to bootstrap``)
and leaves the reason in its log. When a client cannot connect, `diagnose` makes one TLS
handshake of its own with each bootstrap address and turns what it learns into
`LogNotTrusted`, naming the setting to change:

    the client              the broker                   diagnosis
    SASL_SSL                a certificate ssl_cafile      the broker is not trusted: ssl_cafile
                            does not verify (or another   (or the host name in
                            host's)                       bootstrap_servers)
    SASL_SSL                refuses our certificate       ssl_certfile / ssl_keyfile
    SASL_SSL                no TLS                        security_protocol SASL_PLAINTEXT
    SASL_PLAINTEXT          TLS                           security_protocol SASL_SSL, ssl_cafile
    either                  does not answer, or agrees    none: the error stays an outage

    context = client_ssl_context(cafile="ca.crt", certfile=None, keyfile=None)
    problem = await diagnose("127.0.0.1:9092", context, cafile="ca.crt", what="starting")
"""

from __future__ import annotations

import asyncio
import contextlib
import ssl
from pathlib import Path

from aiokafka.helpers import create_ssl_context

from sync.errors import LogError, LogNotTrusted

__all__ = ["client_ssl_context", "diagnose"]

_PROBE_SECONDS = 5.0
_ALERT_SECONDS = 0.5


def client_ssl_context(
    *, cafile: str | Path | None, certfile: str | Path | None, keyfile: str | Path | None
) -> ssl.SSLContext:
    """The client side of SASL_SSL: the broker verified with `cafile` (else the system's
    CAs) and its host name checked; `certfile`/`keyfile` are offered for mutual TLS. A file
    that cannot be used is a `LogError` naming its setting."""
    try:
        context = create_ssl_context(cafile=cafile)
    except (OSError, ssl.SSLError) as exc:  # ssl.SSLError is an OSError
        raise LogError(f"ssl_cafile {str(cafile)!r} is not a usable PEM CA bundle: {exc}") from exc
    return _with_certificate(context, certfile, keyfile)


def _with_certificate(
    context: ssl.SSLContext, certfile: str | Path | None, keyfile: str | Path | None
) -> ssl.SSLContext:
    if certfile is None:
        return context
    try:
        context.load_cert_chain(certfile, keyfile)
    except OSError as exc:
        raise LogError(
            f"ssl_certfile {str(certfile)!r} with ssl_keyfile {str(keyfile)!r} is not a usable "
            f"PEM certificate and unencrypted key: {exc}"
        ) from exc
    return context


def _addresses(bootstrap_servers: str) -> list[tuple[str, int]]:
    found = []
    for item in bootstrap_servers.split(","):
        host, _, port = item.strip().rpartition(":")
        if host and port.isdigit():
            found.append((host.strip("[]"), int(port)))
    return found


async def _handshake(host: str, port: int, context: ssl.SSLContext) -> BaseException | None:
    """None when a TLS handshake with `host`:`port` succeeds, else what failed. Under TLS 1.3
    a server refuses a client certificate after the client finished its handshake, so a
    moment's read follows: a broker that accepted says nothing."""
    try:
        reader, writer = await asyncio.wait_for(
            asyncio.open_connection(host, port, ssl=context, server_hostname=host),
            _PROBE_SECONDS,
        )
    except (OSError, TimeoutError) as exc:  # ssl.SSLError is an OSError
        return exc
    failure: BaseException | None = None
    try:
        await asyncio.wait_for(reader.read(1), _ALERT_SECONDS)
    except ssl.SSLError as exc:
        failure = exc
    except (OSError, TimeoutError):
        pass
    writer.close()
    with contextlib.suppress(OSError, TimeoutError):
        await asyncio.wait_for(writer.wait_closed(), _PROBE_SECONDS)
    return failure


def _unverified() -> ssl.SSLContext:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    return context


async def diagnose(
    bootstrap_servers: str,
    context: ssl.SSLContext | None,
    *,
    cafile: str | Path | None,
    what: str,
) -> LogNotTrusted | None:
    """Why the brokers at `bootstrap_servers` refused a client whose TLS is `context` (None:
    SASL_PLAINTEXT), as `LogNotTrusted` naming the setting; None when TLS is not the reason."""
    for host, port in _addresses(bootstrap_servers):
        where = f"{host}:{port}"
        if context is None:
            if await _handshake(host, port, _unverified()) is None:
                return LogNotTrusted(
                    f"{what}: the broker at {where} speaks TLS but security_protocol is "
                    "SASL_PLAINTEXT; set security_protocol to SASL_SSL and ssl_cafile to the CA "
                    "that issued the broker's certificate"
                )
            continue
        failure = await _handshake(host, port, context)
        if isinstance(failure, ssl.SSLCertVerificationError):
            return LogNotTrusted(
                f"{what}: the certificate of the broker at {where} is not trusted "
                f"({failure.verify_message}): ssl_cafile={_shown(cafile)} must hold the CA that "
                f"issued it, and its subjectAltNames must name {host!r} as bootstrap_servers does"
            )
        if isinstance(failure, ssl.SSLError):
            if await _handshake(host, port, _unverified()) is not None:
                return LogNotTrusted(
                    f"{what}: the broker at {where} does not speak TLS ({failure.reason}); its "
                    "listener is SASL_PLAINTEXT: set security_protocol to SASL_PLAINTEXT, or "
                    "give the broker a certificate"
                )
            return LogNotTrusted(
                f"{what}: the broker at {where} refused the TLS handshake ({failure.reason}); "
                "if it asks for a client certificate, ssl_certfile and ssl_keyfile must name "
                "one its CA issued"
            )
    return None


def _shown(cafile: str | Path | None) -> str:
    return "(the system's CAs)" if cafile is None else repr(str(cafile))
