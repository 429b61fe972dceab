"""JSON Web Tokens as Adobe's JWT flow signs them: RS256 over an RSA key whose
public half the OAuth2 application holds (Adobe's "Configure and use your
organization's custom OAuth 2 applications using JWT flow" page,
help/quicksilver/wf-api/api/oauth-app-jwt-flow.md: "The algorithm used is
RS256 (RSA Signature with SHA-256)"; the public key is uploaded as the
``certificate_pub.crt`` that ``openssl req -x509 -sha256 -nodes -newkey
rsa:2048`` writes).

Pure and bounded: a PEM certificate (``CERTIFICATE``) or public key
(``PUBLIC KEY``, ``RSA PUBLIC KEY``) is read with a small DER reader, and an
RS256 signature is checked as RFC 8017 verifies RSASSA-PKCS1-v1_5 (the
signature to the power of the public exponent, compared with the encoded
SHA-256 digest). Verification uses public values only, so plain Python
arithmetic is enough; the emulator signs nothing.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import re
from collections.abc import Sequence
from typing import Any, Final

import attrs
import orjson

__all__ = ["JWTError", "RSAPublicKey", "decode", "load_public_key", "verify_rs256"]

MAX_TOKEN_CHARS: Final = 16_384
MIN_KEY_BITS: Final = 1024
MAX_KEY_BITS: Final = 8192
# rsaEncryption (1.2.840.113549.1.1.1)
_RSA_OID: Final = bytes.fromhex("2a864886f70d010101")
# DigestInfo of SHA-256 (RFC 8017 §9.2, note 1)
_SHA256_INFO: Final = bytes.fromhex("3031300d060960864801650304020105000420")
_PEM = re.compile(r"-----BEGIN ([A-Z ]+)-----\s*([A-Za-z0-9+/=\s]+?)\s*-----END \1-----", re.DOTALL)


class JWTError(ValueError):
    """A token or key that cannot be used; the message says why (never the token)."""


@attrs.frozen(repr=False)
class RSAPublicKey:
    n: int
    e: int

    @property
    def bits(self) -> int:
        return self.n.bit_length()

    def __repr__(self) -> str:
        return f"RSAPublicKey(bits={self.bits}, e={self.e})"


# -- DER -----------------------------------------------------------------------------


def _tlv(data: bytes, pos: int, end: int) -> tuple[int, int, int]:
    """(tag, start, stop) of the DER element at ``pos``: its content is data[start:stop]."""
    if pos + 2 > end:
        raise JWTError("the key's DER ends early")
    tag, first = data[pos], data[pos + 1]
    pos += 2
    if first < 0x80:
        length = first
    else:
        count = first & 0x7F
        if count == 0 or count > 4 or pos + count > end:
            raise JWTError("the key's DER has a length it cannot hold")
        length = int.from_bytes(data[pos : pos + count], "big")
        pos += count
    if pos + length > end:
        raise JWTError("the key's DER ends early")
    return tag, pos, pos + length


def _children(data: bytes, start: int, stop: int) -> list[tuple[int, int, int]]:
    out = []
    pos = start
    while pos < stop:
        tag, begin, end = _tlv(data, pos, stop)
        out.append((tag, begin, end))
        pos = end
        if len(out) > 64:
            raise JWTError("the key's DER holds too many elements")
    return out


def _integer(data: bytes, element: tuple[int, int, int]) -> int:
    tag, start, stop = element
    if tag != 0x02 or stop == start:
        raise JWTError("an INTEGER was expected in the key")
    return int.from_bytes(data[start:stop], "big", signed=True)


def _rsa_public_key(data: bytes, start: int, stop: int) -> RSAPublicKey:
    """RSAPublicKey ::= SEQUENCE { modulus INTEGER, publicExponent INTEGER }."""
    tag, begin, end = _tlv(data, start, stop)
    if tag != 0x30:
        raise JWTError("RSAPublicKey is not a SEQUENCE")
    parts = _children(data, begin, end)
    if len(parts) != 2:
        raise JWTError("RSAPublicKey holds two INTEGERs")
    key = RSAPublicKey(_integer(data, parts[0]), _integer(data, parts[1]))
    if not MIN_KEY_BITS <= key.bits <= MAX_KEY_BITS or key.e < 3 or key.e % 2 == 0:
        raise JWTError(
            f"the RSA key must have {MIN_KEY_BITS} to {MAX_KEY_BITS} bits and an odd exponent"
        )
    return key


def _spki(data: bytes, element: tuple[int, int, int]) -> RSAPublicKey:
    """SubjectPublicKeyInfo ::= SEQUENCE { algorithm AlgorithmIdentifier,
    subjectPublicKey BIT STRING }."""
    tag, start, stop = element
    if tag != 0x30:
        raise JWTError("SubjectPublicKeyInfo is not a SEQUENCE")
    parts = _children(data, start, stop)
    if len(parts) != 2 or parts[0][0] != 0x30 or parts[1][0] != 0x03:
        raise JWTError("SubjectPublicKeyInfo holds an algorithm and a BIT STRING")
    algorithm = _children(data, parts[0][1], parts[0][2])
    if (
        not algorithm
        or algorithm[0][0] != 0x06
        or data[algorithm[0][1] : algorithm[0][2]] != _RSA_OID
    ):
        raise JWTError("the public key is not an RSA key (RS256 needs one)")
    _, bits_start, bits_stop = parts[1]
    if bits_stop <= bits_start or data[bits_start] != 0:
        raise JWTError("the public key's BIT STRING is malformed")
    return _rsa_public_key(data, bits_start + 1, bits_stop)


def _certificate(data: bytes) -> RSAPublicKey:
    """The subjectPublicKeyInfo of an X.509 certificate (RFC 5280 §4.1)."""
    tag, start, stop = _tlv(data, 0, len(data))
    if tag != 0x30:
        raise JWTError("the certificate is not a SEQUENCE")
    tbs = _children(data, start, stop)
    if not tbs or tbs[0][0] != 0x30:
        raise JWTError("the certificate has no tbsCertificate")
    fields = _children(data, tbs[0][1], tbs[0][2])
    if fields and fields[0][0] == 0xA0:  # [0] EXPLICIT version
        fields = fields[1:]
    # serialNumber, signature, issuer, validity, subject, subjectPublicKeyInfo
    if len(fields) < 6:
        raise JWTError("the certificate's tbsCertificate is too short")
    return _spki(data, fields[5])


def load_public_key(pem: str | bytes) -> RSAPublicKey:
    """An RSA public key from PEM: a certificate, a ``PUBLIC KEY`` or an ``RSA PUBLIC KEY``."""
    text = pem.decode("ascii", "replace") if isinstance(pem, bytes) else pem
    found = _PEM.search(text)
    if found is None:
        raise JWTError("give the public key in PEM form (-----BEGIN CERTIFICATE----- ...)")
    try:
        der = base64.b64decode("".join(found.group(2).split()), validate=True)
    except binascii.Error:
        raise JWTError("the PEM body is not base64") from None
    label = found.group(1)
    if label == "CERTIFICATE":
        return _certificate(der)
    if label == "PUBLIC KEY":
        return _spki(der, _tlv(der, 0, len(der)))
    if label == "RSA PUBLIC KEY":
        return _rsa_public_key(der, 0, len(der))
    raise JWTError(f"a PEM {label!r} holds no public key; give a CERTIFICATE or PUBLIC KEY")


# -- RS256 ---------------------------------------------------------------------------


def verify_rs256(key: RSAPublicKey, message: bytes, signature: bytes) -> bool:
    """RSASSA-PKCS1-v1_5 with SHA-256 (RFC 8017 §8.2.2)."""
    size = (key.bits + 7) // 8
    if len(signature) != size:
        return False
    s = int.from_bytes(signature, "big")
    if s >= key.n:
        return False
    encoded = pow(s, key.e, key.n).to_bytes(size, "big")
    digest = _SHA256_INFO + hashlib.sha256(message).digest()
    padding = size - len(digest) - 3
    if padding < 8:
        return False
    expected = b"\x00\x01" + b"\xff" * padding + b"\x00" + digest
    return hmac.compare_digest(encoded, expected)


def _b64url(part: str, what: str) -> bytes:
    if not re.fullmatch(r"[A-Za-z0-9_-]*", part):
        raise JWTError(f"the JWT's {what} is not base64url")
    try:
        return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))
    except binascii.Error:
        raise JWTError(f"the JWT's {what} is not base64url") from None


def _json_object(raw: bytes, what: str) -> dict[str, Any]:
    try:
        value = orjson.loads(raw)
    except orjson.JSONDecodeError:
        raise JWTError(f"the JWT's {what} is not JSON") from None
    if not isinstance(value, dict):
        raise JWTError(f"the JWT's {what} is not a JSON object")
    return value


def decode(token: str, keys: Sequence[RSAPublicKey]) -> tuple[dict[str, Any], dict[str, Any]]:
    """(header, claims) of a compact JWS signed with RS256 by one of ``keys``.

    Checks the form, that ``alg`` is ``RS256`` (so neither ``none`` nor a
    symmetric algorithm) and the signature; the claims are the caller's to check.
    """
    if len(token) > MAX_TOKEN_CHARS:
        raise JWTError(f"the JWT is longer than {MAX_TOKEN_CHARS} characters")
    parts = token.strip().split(".")
    if len(parts) != 3:
        raise JWTError("a JWT has three base64url parts separated by dots")
    header = _json_object(_b64url(parts[0], "header"), "header")
    if header.get("alg") != "RS256":
        raise JWTError(f"the JWT must be signed with RS256, not {header.get('alg')!r}")
    if "crit" in header:
        raise JWTError("the JWT names critical header parameters this server does not know")
    claims = _json_object(_b64url(parts[1], "payload"), "payload")
    signature = _b64url(parts[2], "signature")
    signed = f"{parts[0]}.{parts[1]}".encode("ascii")
    if not any(verify_rs256(key, signed, signature) for key in keys):
        raise JWTError("the JWT's signature does not match a public key of the application")
    return header, claims
