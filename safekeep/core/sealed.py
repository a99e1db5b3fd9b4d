"""Files kept encrypted at rest: photos and screenshots, the child protection file sent to another school, and a
chronology PDF the worker prepared (ADR 0007).

AES-256-GCM under a key derived with HKDF from the field key (SAFEKEEP_FIELD_KEY, which production refuses to start
without), each kind of file with a label of its own, so no two kinds share a key; the label is also the data bound
to each ciphertext, so one kind of file cannot be passed off as another. Stored as: version byte, 12-byte nonce,
ciphertext with its tag."""

import os
from dataclasses import dataclass

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings

_VERSION = b"\x01"


@dataclass(frozen=True)
class Sealer:
    """What: the kind of file, in error messages. key_label and bound: its HKDF label and associated data (never
    changed once files are stored with them). key_setting: a setting whose key, if set, is used in place of the
    field key."""

    what: str
    key_label: bytes
    bound: bytes
    key_setting: str = ""

    def _key(self) -> bytes:
        material = (getattr(settings, self.key_setting, "") if self.key_setting else "") or settings.FIELD_ENCRYPTION_KEY
        return HKDF(algorithm=hashes.SHA256(), length=32, salt=b"safekeep", info=self.key_label).derive(
            material.encode())

    def encrypt(self, data: bytes) -> bytes:
        nonce = os.urandom(12)
        return _VERSION + nonce + AESGCM(self._key()).encrypt(nonce, data, self.bound)

    def decrypt(self, blob: bytes) -> bytes:
        blob = bytes(blob)
        if blob[:1] != _VERSION:
            raise ValueError(f"unknown {self.what} encryption version")
        return AESGCM(self._key()).decrypt(blob[1:13], blob[13:], self.bound)
