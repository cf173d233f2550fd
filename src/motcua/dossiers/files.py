"""Attachments: validated, stored once by SHA-256 in the configured storage, owned by a user."""

import hashlib
from typing import IO

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from motcua.accounts.models import User
from motcua.core.errors import BadInput, PayloadTooLarge, UnsupportedMediaType
from motcua.core.text import normalize
from motcua.dossiers.models import StoredFile

MAX_UPLOAD_BYTES = 10 * 1024 * 1024
# Types citizens actually send from phones and scanners; sniffed from the bytes, not trusted from the name.
_SIGNATURES: list[tuple[bytes, str]] = [
    (b"%PDF-", "application/pdf"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
]
ALLOWED_TYPES = {content_type for _, content_type in _SIGNATURES}


def sniff_content_type(head: bytes) -> str | None:
    for signature, content_type in _SIGNATURES:
        if head.startswith(signature):
            return content_type
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    return None


def file_store(*, owner: User, name: str, stream: IO[bytes], size: int | None = None) -> StoredFile:
    """Validate and store an upload; the same bytes are kept once however often they come."""
    if size is not None and size > MAX_UPLOAD_BYTES:
        raise PayloadTooLarge("Tệp lớn hơn 10 MB. Hãy chụp lại với độ phân giải thấp hơn hoặc nén tệp PDF.")
    content = stream.read(MAX_UPLOAD_BYTES + 1)
    if len(content) > MAX_UPLOAD_BYTES:
        raise PayloadTooLarge("Tệp lớn hơn 10 MB. Hãy chụp lại với độ phân giải thấp hơn hoặc nén tệp PDF.")
    if not content:
        raise BadInput("Tệp rỗng. Vui lòng chọn lại tệp.", fields={"file": "empty"})
    content_type = sniff_content_type(content[:16])
    if content_type is None:
        raise UnsupportedMediaType("Chỉ nhận tệp PDF hoặc ảnh (JPG, PNG, WEBP).")
    return _save(owner=owner, name=name, content=content, content_type=content_type)


def file_store_generated(
    *, owner: User | None, name: str, content: bytes, content_type: str = "application/pdf"
) -> StoredFile:
    """Store a file the system made (an official form, a signed result)."""
    return _save(owner=owner, name=name, content=content, content_type=content_type)


def _save(*, owner: User | None, name: str, content: bytes, content_type: str) -> StoredFile:
    digest = hashlib.sha256(content).hexdigest()
    stored = StoredFile(
        sha256=digest,
        name=normalize(name)[:255] or "tep",
        content_type=content_type,
        size=len(content),
        owner=owner,
    )
    if not default_storage.exists(stored.storage_name):
        default_storage.save(stored.storage_name, ContentFile(content))
    stored.save()
    return stored


def file_read(stored: StoredFile) -> bytes:
    with default_storage.open(stored.storage_name, "rb") as handle:
        return handle.read()
