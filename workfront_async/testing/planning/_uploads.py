"""Thumbnail uploads (static/v2.json ``uploadThumbnail``): the ``file`` part of
a ``multipart/form-data`` body, checked as a PNG or JPEG image.

The documented refusals are 400 ``THUMBNAIL_EMPTY``,
``THUMBNAIL_INVALID_FORMAT``, ``THUMBNAIL_INVALID_CONTENT``,
``THUMBNAIL_SIZE_EXCEEDED`` and 413 ``UPLOAD_SIZE_EXCEEDED``. Adobe gives no
sizes; the emulator takes images up to ``MAX_THUMBNAIL_BYTES`` (5 MiB) in
uploads up to ``MAX_UPLOAD_BYTES`` (10 MiB). The format is what the part
declares (its content type, else its file name); the content must then
start as that format does (PNG's signature, JPEG's start-of-image marker).
"""

from __future__ import annotations

from email.message import Message
from email.parser import BytesParser
from email.policy import HTTP
from typing import Final

from ._errors import PlanningError, bad, planning_error

__all__ = ["MAX_THUMBNAIL_BYTES", "MAX_UPLOAD_BYTES", "thumbnail_image"]

MAX_THUMBNAIL_BYTES: Final = 5 * 2**20
MAX_UPLOAD_BYTES: Final = 10 * 2**20
_SIGNATURES: Final = {"png": b"\x89PNG\r\n\x1a\n", "jpeg": b"\xff\xd8\xff"}
_TYPES: Final = {
    "image/png": "png",
    "image/jpeg": "jpeg",
    "image/jpg": "jpeg",
    "image/pjpeg": "jpeg",
}
_SUFFIXES: Final = {".png": "png", ".jpg": "jpeg", ".jpeg": "jpeg"}


def _refused(code: str, message: str) -> PlanningError:
    return bad(message, code, fieldId="file")


def thumbnail_image(content_type: str, body: bytes) -> tuple[str, bytes]:
    """``(format, bytes)`` of the uploaded image (``png`` or ``jpeg``), or the
    documented error."""
    if len(body) > MAX_UPLOAD_BYTES:
        raise planning_error(
            413,
            "UPLOAD_SIZE_EXCEEDED",
            f"The upload is {len(body)} bytes; at most {MAX_UPLOAD_BYTES} are taken.",
            {"limit": MAX_UPLOAD_BYTES},
        )
    multipart = content_type.strip().lower().startswith("multipart/form-data")
    part = _file_part(content_type, body) if multipart and body.strip() else None
    if part is None:
        raise _refused(
            "THUMBNAIL_EMPTY",
            "The request has no image: send it as multipart/form-data in a part named 'file'.",
        )
    data = part.get_payload(decode=True)
    payload = data if isinstance(data, bytes) else b""
    if not payload:
        raise _refused("THUMBNAIL_EMPTY", "The 'file' part is empty.")
    declared = _TYPES.get(part.get_content_type())
    if declared is None:
        name = (part.get_filename() or "").lower()
        declared = next((f for s, f in _SUFFIXES.items() if name.endswith(s)), None)
    if declared is None:
        raise _refused(
            "THUMBNAIL_INVALID_FORMAT",
            f"A thumbnail is a PNG or JPEG image, got {part.get_content_type()!r}.",
        )
    if not payload.startswith(_SIGNATURES[declared]):
        raise _refused(
            "THUMBNAIL_INVALID_CONTENT", f"The 'file' part is not a {declared.upper()} image."
        )
    if len(payload) > MAX_THUMBNAIL_BYTES:
        raise _refused(
            "THUMBNAIL_SIZE_EXCEEDED",
            f"The image is {len(payload)} bytes; a thumbnail is at most {MAX_THUMBNAIL_BYTES}.",
        )
    return declared, payload


def _file_part(content_type: str, body: bytes) -> Message | None:
    head = f"Content-Type: {content_type}\r\nMIME-Version: 1.0\r\n\r\n".encode("latin-1", "replace")
    message = BytesParser(policy=HTTP).parsebytes(head + body)
    if not message.is_multipart():
        return None
    for part in message.iter_parts():
        if part.get_param("name", header="content-disposition") == "file":
            return part
    return None
