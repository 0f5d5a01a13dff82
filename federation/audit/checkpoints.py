"""`Checkpointer`: signs the head of the audit chain with the instance's key when one is due
(`graph.audit.checkpoint.due`: every `every_records` records or every hour).

The key is the instance's TLS key and the certificate its instance certificate (`tls.key`,
`tls.cert`): the one key the instance already guards. Without them, no checkpoint is signed
and the instance says so once at start.

    async with Checkpointer.from_files(store, cert, key, actor="510100/intranet").running():
        ...
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from graph.audit.checkpoint import due, sign_checkpoint
from graph.audit.records import AuditFilter, AuditHead, AuditKind, AuditRecord
from graph.background import periodic
from graph.errors import CatalogError
from graph.store import CatalogStore

__all__ = ["Checkpointer", "last_checkpoint"]

_log = logging.getLogger("mulu.audit")

EVERY_RECORDS = 1000
EVERY = timedelta(hours=1)
LOOK_SECONDS = 30.0


async def last_checkpoint(store: CatalogStore, head: AuditHead) -> AuditRecord | None:
    """The last CHECKPOINT record of `store`, whose `head` was just read, if any."""
    if head.checkpoint_seq == 0:
        return None
    found = await store.audit_records(
        head.checkpoint_seq - 1, 1, AuditFilter(kinds=frozenset({AuditKind.CHECKPOINT}))
    )
    return found[0] if found else None


class Checkpointer:
    def __init__(
        self,
        store: CatalogStore,
        key: ec.EllipticCurvePrivateKey,
        certificate: x509.Certificate,
        *,
        actor: str,
        every_records: int = EVERY_RECORDS,
        every: timedelta = EVERY,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._store = store
        self._key = key
        self._certificate = certificate
        self._actor = actor
        self._every_records = every_records
        self._every = every
        self._clock = clock

    @classmethod
    def from_files(
        cls, store: CatalogStore, cert: Path, key: Path, *, actor: str, **options: object
    ) -> Checkpointer:
        certificate = x509.load_pem_x509_certificate(cert.read_bytes())
        private = serialization.load_pem_private_key(key.read_bytes(), password=None)
        if not isinstance(private, ec.EllipticCurvePrivateKey):
            raise ValueError(
                f"tls.key {str(key)!r} is not an EC key: audit checkpoints are signed with "
                "ECDSA P-256 (the keys `mulu pki` issues)"
            )
        return cls(store, private, certificate, actor=actor, **options)  # type: ignore[arg-type]

    async def sign_if_due(self) -> AuditRecord | None:
        """Append a signed checkpoint when one is due; the record, or None."""
        head = await self._store.audit_head()
        last = await last_checkpoint(self._store, head)
        if not due(head, last, self._clock(), self._every_records, self._every):
            return None
        entry = sign_checkpoint(head, self._key, self._certificate, actor=self._actor)
        (record,) = await self._store.append_audit([entry])
        return record

    async def _round(self) -> None:
        try:
            await self.sign_if_due()
        except CatalogError as exc:
            _log.warning("audit checkpoint not signed", extra={"error": str(exc)})

    @contextlib.asynccontextmanager
    async def running(self, look_seconds: float = LOOK_SECONDS) -> AsyncIterator[Checkpointer]:
        """Look every `look_seconds` while the context runs; a round under way when it exits
        is finished, not cut (`graph.background`)."""
        async with periodic("audit checkpoints", self._round, every=look_seconds):
            yield self
