"""The visible signature box (the stamp) in Vietnamese, and where it goes on the page.

pyHanko's own text stamps draw with a font engine: the default one (a PDF standard font)
is Latin-1 only, and the OpenType one (`GlyphAccumulatorFactory`) needs `uharfbuzz`, which
this project does not install. So the stamp is drawn the way the forms are: a tiny HTML
page rendered by WeasyPrint (Noto Sans, embedded and subset, with a ToUnicode map so the
text stays searchable and copyable), imported into the signature's appearance stream as a
form XObject. The box is `STAMP_WIDTH_MM` × `STAMP_HEIGHT_MM`.

Placement: a template that wants the stamp in a given spot renders an element with
`id="motcua-signature"` (WeasyPrint writes a named destination at its top-left corner);
the stamp's top-left corner goes there. Without one, the stamp sits at the bottom right of
the last page, `MARGIN_MM` from the edges.
"""

import binascii
import io
import uuid
from dataclasses import dataclass
from typing import Any

from django.template.loader import render_to_string
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.content import PdfContent
from pyhanko.pdf_utils.layout import AxisAlignment, BoxConstraints, Margins, SimpleBoxLayoutRule
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.pdf_utils.rw_common import PdfHandler
from pyhanko.stamp import StaticStampStyle

ANCHOR = "motcua-signature"
STAMP_WIDTH_MM = 80
STAMP_HEIGHT_MM = 22
MARGIN_MM = 12
POINTS_PER_MM = 72 / 25.4
A4_POINTS = (595.28, 841.89)


@dataclass(frozen=True)
class Placement:
    page_index: int
    box: tuple[int, int, int, int]  # x1, y1, x2, y2 in PDF points, origin bottom left


def stamp_size_points() -> tuple[float, float]:
    return STAMP_WIDTH_MM * POINTS_PER_MM, STAMP_HEIGHT_MM * POINTS_PER_MM


def render_stamp_pdf(*, agency_name: str, signed_at: str, dossier_code: str) -> bytes:
    """A one-page PDF exactly the size of the box, with the stamp's text."""
    from weasyprint import HTML
    from weasyprint.text.fonts import FontConfiguration

    html = render_to_string(
        "signing/stamp.html",
        {
            "agency_name": agency_name,
            "signed_at": signed_at,
            "dossier_code": dossier_code,
            "width_mm": STAMP_WIDTH_MM,
            "height_mm": STAMP_HEIGHT_MM,
        },
    )
    # No URL in the page: nothing is fetched (the default fetcher is never called).
    return HTML(string=html).write_pdf(font_config=FontConfiguration())


class _ImportedPdfBytes(PdfContent):
    """Like pyHanko's `ImportedPdfPage`, but from bytes in memory instead of a file name."""

    def __init__(self, data: bytes, page_ix: int = 0):
        self.data = data
        self.page_ix = page_ix
        super().__init__()

    def render(self) -> bytes:
        writer = self._ensure_writer
        reader = PdfFileReader(io.BytesIO(self.data))
        xobject = writer.import_page_as_xobject(reader, page_ix=self.page_ix)
        resource_name = b"/Stamp" + binascii.hexlify(uuid.uuid4().bytes)
        self.resources.xobject[resource_name.decode("ascii")] = xobject
        x1, y1, x2, y2 = xobject.get_object()["/BBox"]
        self.box = BoxConstraints(width=abs(x1 - x2), height=abs(y1 - y2))
        return resource_name + b" Do"


def stamp_style(stamp_pdf: bytes) -> StaticStampStyle:
    return StaticStampStyle(
        background=_ImportedPdfBytes(stamp_pdf),
        background_opacity=1.0,
        background_layout=SimpleBoxLayoutRule(
            x_align=AxisAlignment.ALIGN_MID, y_align=AxisAlignment.ALIGN_MID, margins=Margins()
        ),
        border_width=0,
    )


# --- placement ---------------------------------------------------------------------------------


def _name_tree_lookup(node: generic.DictionaryObject, key: str, depth: int = 0) -> Any:
    if depth > 20:
        return None
    names = node.get("/Names")
    if names is not None:
        for index in range(0, len(names) - 1, 2):
            if str(names[index]) == key:
                return names[index + 1]
    for kid in node.get("/Kids", []):
        found = _name_tree_lookup(kid.get_object(), key, depth + 1)
        if found is not None:
            return found
    return None


def _anchor(handler: PdfHandler) -> tuple[generic.Reference, float, float] | None:
    """The page and top-left point of the `motcua-signature` named destination, if any."""
    try:
        root = handler.root
        destination = None
        names = root.get("/Names")
        if names is not None and "/Dests" in names:
            destination = _name_tree_lookup(names["/Dests"].get_object(), ANCHOR)
        if destination is None and "/Dests" in root:
            destination = root["/Dests"].get_object().get("/" + ANCHOR)
        if destination is None:
            return None
        destination = destination.get_object()
        if isinstance(destination, generic.DictionaryObject):
            destination = destination["/D"]
        page_ref = destination.raw_get(0) if hasattr(destination, "raw_get") else destination[0]
        if not isinstance(page_ref, generic.IndirectObject) or destination[1] != "/XYZ":
            return None
        return page_ref.reference, float(destination[2]), float(destination[3])
    except (KeyError, IndexError, TypeError, ValueError):
        return None


def _page_count(handler: PdfHandler) -> int:
    return int(handler.root["/Pages"]["/Count"])


def _media_box(page: generic.DictionaryObject) -> tuple[float, float, float, float]:
    node: generic.DictionaryObject | None = page
    for _ in range(32):
        if node is None:
            break
        if "/MediaBox" in node:
            x1, y1, x2, y2 = (float(value) for value in node["/MediaBox"])
            return x1, y1, x2, y2
        parent = node.get("/Parent")
        node = parent.get_object() if parent is not None else None
    return 0.0, 0.0, *A4_POINTS


def placement(handler: PdfHandler) -> Placement:
    width, height = stamp_size_points()
    count = _page_count(handler)
    anchor = _anchor(handler)
    if anchor is not None:
        reference, left, top = anchor
        for index in range(count):
            page_ref, _ = handler.find_page_for_modification(index)
            if page_ref.reference == reference:
                return Placement(index, (round(left), round(top - height), round(left + width), round(top)))
    page_ref, _ = handler.find_page_for_modification(count - 1)
    _, y1, x2, _ = _media_box(page_ref.get_object())
    margin = MARGIN_MM * POINTS_PER_MM
    right, bottom = x2 - margin, y1 + margin
    return Placement(count - 1, (round(right - width), round(bottom), round(right), round(bottom + height)))
