"""Checkpoints: the head of the chain signed with the instance key.

The chain alone shows a record changed only if the records after it were left alone: anyone
who can write the store can also rewrite every hash from the changed record on. A checkpoint
closes that: every `every_records` records or every hour (`due`), the instance signs the
head's seq and hash with its key (ECDSA P-256 over SHA-256, the key of the instance's
certificate) and appends the signature as a CHECKPOINT record. A rewritten chain no longer
matches what a checkpoint signed, and no one without the key can sign again.

The CHECKPOINT entry's detail: ``seq`` and ``hash`` (the head signed), ``signature`` (base64,
DER) and ``key`` (the SHA-256 fingerprint of the certificate, hex).

    entry = sign_checkpoint(await store.audit_head(), key, certificate, actor=instance_id)
    await store.append_audit([entry])
    check_checkpoint(record, certificate)  # raises BrokenCheckpoint when forged
"""

from __future__ import annotations

import base64
import binascii
from datetime import datetime, timedelta

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec

from graph.audit.chain import CheckpointCheck
from graph.audit.errors import BrokenCheckpoint
from graph.audit.records import (
    AuditEntry,
    AuditHead,
    AuditKind,
    AuditRecord,
    DetailValue,
    utc,
)

__all__ = ["check_checkpoint", "checker", "due", "fingerprint", "sign_checkpoint"]


def fingerprint(certificate: x509.Certificate) -> str:
    """The SHA-256 fingerprint of `certificate` (DER), hex: the key id a checkpoint names."""
    return certificate.fingerprint(hashes.SHA256()).hex()


def _message(seq: int, head_hash: str) -> bytes:
    return f"mulu audit checkpoint\n{seq}\n{head_hash}".encode()


def _public_key(certificate: x509.Certificate) -> ec.EllipticCurvePublicKey:
    key = certificate.public_key()
    if not isinstance(key, ec.EllipticCurvePublicKey) or not isinstance(key.curve, ec.SECP256R1):
        raise BrokenCheckpoint(
            f"the certificate {fingerprint(certificate)} holds no P-256 key; checkpoints are "
            "signed with ECDSA P-256"
        )
    return key


def sign_checkpoint(
    head: AuditHead,
    private_key: ec.EllipticCurvePrivateKey,
    certificate: x509.Certificate,
    *,
    actor: str = "instance",
    at: datetime | None = None,
) -> AuditEntry:
    """The CHECKPOINT entry signing `head` with `private_key`, the key of `certificate`."""
    public = _public_key(certificate)
    if public.public_numbers() != private_key.public_key().public_numbers():
        raise BrokenCheckpoint(
            f"the private key is not the key of certificate {fingerprint(certificate)}"
        )
    signature = private_key.sign(_message(head.seq, head.hash), ec.ECDSA(hashes.SHA256()))
    detail: dict[str, DetailValue] = {
        "seq": head.seq,
        "hash": head.hash,
        "signature": base64.b64encode(signature).decode("ascii"),
        "key": fingerprint(certificate),
    }
    if at is None:
        return AuditEntry(AuditKind.CHECKPOINT, actor, "checkpoint", detail=detail)
    return AuditEntry(AuditKind.CHECKPOINT, actor, "checkpoint", detail=detail, at=at)


def check_checkpoint(record: AuditRecord, certificate: x509.Certificate) -> None:
    """Raise `BrokenCheckpoint` unless `record` is a checkpoint signed with the key of
    `certificate`."""
    entry = record.entry
    if entry.kind is not AuditKind.CHECKPOINT:
        raise BrokenCheckpoint(f"record {record.seq} is a {entry.kind.value}, not a CHECKPOINT")
    seq, head_hash = entry.detail.get("seq"), entry.detail.get("hash")
    signature, key = entry.detail.get("signature"), entry.detail.get("key")
    if not (
        isinstance(seq, int)
        and isinstance(head_hash, str)
        and isinstance(signature, str)
        and isinstance(key, str)
    ):
        raise BrokenCheckpoint(
            f"checkpoint {record.seq} lacks its seq, hash, signature or key: it holds "
            f"{sorted(entry.detail)}"
        )
    if key != fingerprint(certificate):
        raise BrokenCheckpoint(
            f"checkpoint {record.seq} names key {key}, not this instance's "
            f"{fingerprint(certificate)}"
        )
    try:
        der = base64.b64decode(signature, validate=True)
        _public_key(certificate).verify(der, _message(seq, head_hash), ec.ECDSA(hashes.SHA256()))
    except (InvalidSignature, binascii.Error, ValueError) as exc:
        raise BrokenCheckpoint(
            f"the signature of checkpoint {record.seq} (of record {seq}) is not the instance "
            "key's: forged"
        ) from exc


def checker(certificate: x509.Certificate) -> CheckpointCheck:
    """The `checkpoints` argument of `graph.audit.chain.verify` for `certificate`."""

    def check(record: AuditRecord) -> None:
        check_checkpoint(record, certificate)

    return check


def due(
    head: AuditHead,
    last_checkpoint: AuditRecord | None,
    now: datetime,
    every_records: int = 1000,
    every: timedelta = timedelta(hours=1),
) -> bool:
    """Whether a checkpoint is due: records were written since the last one, and either
    `every_records` of them or `every` has passed since it (or there is none yet)."""
    if head.seq == 0:
        return False
    if last_checkpoint is None:
        return True
    written = head.seq - last_checkpoint.seq
    if written <= 0:
        return False
    return written >= every_records or utc(now, "now") - last_checkpoint.entry.at >= every
