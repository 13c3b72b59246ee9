"""Spreadsheets written by hand, as an attacker would: a zip of hand-written XML parts, with
whatever size the sheet declares and however much XML it holds."""

import io
import zipfile

CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" '
    'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-'
    'officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-'
    'officedocument.spreadsheetml.worksheet+xml"/>'
    "</Types>"
)
ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>'
)
WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    '<sheets><sheet name="Ark1" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>'
)
SHEET_START = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
)


def text_cell(ref, text):
    return f'<c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c>'


def number_cell(ref, value):
    return f'<c r="{ref}"><v>{value}</v></c>'


def formula_cell(ref, formula):
    """A formula saved without its value, as a program that never ran Excel writes it."""
    return f'<c r="{ref}"><f>{formula}</f></c>'


def row(number, *cells):
    return f'<row r="{number}">{"".join(cells)}</row>'


HEADER = row(1, text_cell("A1", "Område"), text_cell("B1", "Periode"), text_cell("C1", "Antal"))


def workbook(rows, *, dimension=None, repeat_row=None, repeat=0) -> bytes:
    """An .xlsx whose first sheet holds these rows (XML text), optionally declaring a size
    (<dimension ref=…>) and followed by repeat copies of repeat_row, written in chunks so that
    hundreds of megabytes of XML never sit in this process's memory at once."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES)
        archive.writestr("_rels/.rels", ROOT_RELS)
        archive.writestr("xl/workbook.xml", WORKBOOK)
        archive.writestr("xl/_rels/workbook.xml.rels", WORKBOOK_RELS)
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
            sheet.write(SHEET_START.encode())
            if dimension:
                sheet.write(f'<dimension ref="{dimension}"/>'.encode())
            sheet.write(b"<sheetData>")
            sheet.write("".join(rows).encode())
            if repeat_row:
                chunk = (repeat_row * 10_000).encode()
                for _ in range(repeat // 10_000):
                    sheet.write(chunk)
            sheet.write(b"</sheetData></worksheet>")
    return buffer.getvalue()


def declared_huge() -> bytes:
    """About 1,5 KB: a sheet declaring A1:XFD1048576 (17 billion cells) with one far cell."""
    far = row(1_048_576, number_cell("XFD1048576", 1))
    return workbook([HEADER, far], dimension="A1:XFD1048576")


def far_cell_only() -> bytes:
    """No declared size at all, only the far cell."""
    return workbook([HEADER, row(1_048_576, number_cell("XFD1048576", 1))])


def packed_xml(megabytes=550) -> bytes:
    """About 2 MB holding `megabytes` of sheet XML: the same row over and over."""
    same = row(2, text_cell("A2", "Guldborgsund"), text_cell("B2", "2023M08"), number_cell("C2", 1))
    return workbook([HEADER], repeat_row=same, repeat=megabytes * 1024 * 1024 // len(same))
