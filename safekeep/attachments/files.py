"""Checking, cleaning and encrypting uploaded files. No database here.

Only photos and screenshots are accepted: JPEG, PNG and WebP, recognised by their first bytes (never
by their name or the browser's word for them), then decoded and re-encoded from pixels alone so no
EXIF, XMP, GPS, ICC profile, comment or trailing bytes (a JPEG+HTML polyglot's HTML) survive.
PDF is refused: we have no way to strip its metadata and scripts that we trust.
Sources: security-tests.md R19 (ASVS 5.1.1, 5.2.1-5.2.6), R20 (ASVS 14.2.8).
"""

import io
import re
import struct
import unicodedata
import warnings
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from PIL import Image, UnidentifiedImageError

from safekeep.core.sealed import Sealer

KINDS = {  # Pillow format -> (content type, extension)
    "JPEG": ("image/jpeg", "jpg"),
    "PNG": ("image/png", "png"),
    "WEBP": ("image/webp", "webp"),
}
ORIENTATION = 0x0112
# EXIF orientation -> the turn that shows the photo upright (as PIL.ImageOps.exif_transpose does).
TURN = {2: Image.Transpose.FLIP_LEFT_RIGHT, 3: Image.Transpose.ROTATE_180, 4: Image.Transpose.FLIP_TOP_BOTTOM,
        5: Image.Transpose.TRANSPOSE, 6: Image.Transpose.ROTATE_270, 7: Image.Transpose.TRANSVERSE,
        8: Image.Transpose.ROTATE_90}
NOT_ALLOWED = ("This file cannot be added. Only photos and screenshots can be added: JPEG, PNG or WebP "
               "images. Other files, including PDFs, web pages and SVG drawings, are refused.")


def max_bytes() -> int:
    return settings.SAFEKEEP_ATTACHMENT_MAX_BYTES


def too_big_message() -> str:
    return f"This file is too big. Each photo or screenshot must be {max_bytes() // (1024 * 1024)} MB or smaller."


@dataclass(frozen=True)
class CleanFile:
    """A checked photo or screenshot, re-encoded without metadata: safe to store (once encrypted)."""

    filename: str
    content_type: str
    data: bytes


def sniff(head: bytes) -> str | None:
    """The image format from the file's first bytes, or None."""
    if head.startswith(b"\xff\xd8\xff"):
        return "JPEG"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "PNG"
    if len(head) >= 12 and head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "WEBP"
    return None


_UNSAFE_CHARS = re.compile(r"[\x00-\x1f\x7f\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff/\\:*?\"<>|]")


def display_name(name: str, extension: str) -> str:
    """The uploader's file name as display text: no folders, no control or direction-changing
    characters, short, and ending in the extension of what the file really is."""
    name = unicodedata.normalize("NFC", str(name or "")).replace("\\", "/").rsplit("/", 1)[-1]
    name = _UNSAFE_CHARS.sub("", name).strip(" .")
    stem = name.rsplit(".", 1)[0] if "." in name else name
    stem = stem.strip(" .")[:80] or "attachment"
    return f"{stem}.{extension}"


def clean(upload) -> CleanFile:
    """Check an uploaded file and return it re-encoded without metadata, or raise ValidationError
    with plain words the recorder can act on."""
    if getattr(upload, "too_big", False) or upload.size > max_bytes():
        raise ValidationError(too_big_message(), code="too_big")
    if upload.size == 0:
        raise ValidationError("The file is empty. Choose the photo or screenshot again.", code="empty")
    upload.seek(0)
    raw = upload.read(max_bytes() + 1)
    if len(raw) > max_bytes():
        raise ValidationError(too_big_message(), code="too_big")
    kind = sniff(raw[:16])
    if kind is None:
        raise ValidationError(NOT_ALLOWED, code="not_allowed")
    try:
        with warnings.catch_warnings():
            # A picture claiming more pixels than Pillow's own bomb limit is refused, never decoded.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            source = Image.open(io.BytesIO(raw), formats=[kind])
            try:
                width, height = source.size
                if width * height > settings.SAFEKEEP_ATTACHMENT_MAX_PIXELS:
                    raise ValidationError(
                        "This picture is too large (too many pixels) to be added. Take a screenshot of it, "
                        "or save it at a smaller size, and add that.", code="too_many_pixels")
                orientation = source.getexif().get(ORIENTATION, 1)
                mode = "RGBA" if ("A" in source.getbands() or "transparency" in source.info) else "RGB"
                if kind == "JPEG":
                    mode = "RGB"
                # Decoded into a new image that carries pixels only (the first frame of an animation).
                # At most two copies of the pixels are in memory at once (measured in the docs).
                pixels = source.convert(mode)
            finally:
                source.close()
            pixels.info = {}
            if orientation in TURN:
                # Keep the photo the right way up once its orientation tag is gone.
                pixels = pixels.transpose(TURN[orientation])
    except ValidationError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ValidationError("This picture is too large (too many pixels) to be added.",
                              code="too_many_pixels") from None
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError, EOFError, struct.error):
        raise ValidationError("This picture could not be read. It may be damaged, or not really a "
                              "JPEG, PNG or WebP image.", code="unreadable") from None
    out = io.BytesIO()
    if kind == "JPEG":
        pixels.save(out, "JPEG", quality=90, optimize=True)
    elif kind == "PNG":
        pixels.save(out, "PNG", optimize=True)
    else:
        pixels.save(out, "WEBP", quality=90)
    data = out.getvalue()
    _assert_bare(data, kind)
    content_type, extension = KINDS[kind]
    return CleanFile(filename=display_name(getattr(upload, "name", ""), extension), content_type=content_type,
                     data=data)


def _assert_bare(data: bytes, kind: str) -> None:
    """Fail closed: the file we are about to keep must carry no metadata at all."""
    with Image.open(io.BytesIO(data), formats=[kind]) as check:
        if len(check.getexif()) or {"exif", "xmp", "comment", "icc_profile", "XML:com.adobe.xmp"} & set(check.info):
            raise RuntimeError("metadata survived re-encoding")


# --- Encryption at rest -----------------------------------------------------------------------
# Encrypted at rest (core.sealed), under SAFEKEEP_ATTACHMENT_KEY if set, otherwise the field key, with a label of
# its own so the two never share a key.
_SEALER = Sealer(what="attachment", key_label=b"attachments v1", bound=b"safekeep attachment v1",
                 key_setting="ATTACHMENT_ENCRYPTION_KEY")
encrypt, decrypt = _SEALER.encrypt, _SEALER.decrypt

