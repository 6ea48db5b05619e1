"""Bundle imports from corrupt or lying zips: each is a 400 with a clear reason, and no version is created.

Sizes are counted on the bytes as they inflate, never trusted from headers (headers that admit too much are refused
before inflating), so a header that lies, a zip bomb and an archive of many small files all stop early. Paths that
leave the bundle and names that are not UTF-8 are refused.
"""
from __future__ import annotations

import io
import struct
import warnings
import zipfile

import pytest

from processes.bundle import bundle_from_directory
from tests.governance_support import DEMO, add_user, sign_in, use_demo_process, version_rows, web_client

DEMO_FILES = dict(bundle_from_directory(DEMO).files)
MB = 1024 * 1024


def archive(files, method=zipfile.ZIP_DEFLATED) -> bytes:
    """A zip of (name, content) pairs, written as given (duplicates and odd names included)."""
    buffer = io.BytesIO()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # zipfile warns about the duplicate names some cases need
        with zipfile.ZipFile(buffer, "w", method) as out:
            for name, content in (files.items() if isinstance(files, dict) else files):
                out.writestr(name, content)
    return buffer.getvalue()


def lie(data: bytes, *, size: int | None = None, flags: int = 0, name: tuple[bytes, bytes] | None = None) -> bytes:
    """The archive with its local and central headers rewritten: the declared size, flag bits, or a name's bytes."""
    data = bytearray(data)
    for signature, size_at, flags_at, name_length_at, name_at in ((b"PK\x03\x04", 22, 6, 26, 30),
                                                                  (b"PK\x01\x02", 24, 8, 28, 46)):
        start = 0
        while (start := data.find(signature, start)) != -1:
            if size is not None:
                data[start + size_at:start + size_at + 4] = struct.pack("<I", size)
            old_flags = struct.unpack("<H", data[start + flags_at:start + flags_at + 2])[0]
            data[start + flags_at:start + flags_at + 2] = struct.pack("<H", old_flags | flags)
            length = struct.unpack("<H", data[start + name_length_at:start + name_length_at + 2])[0]
            if name and data[start + name_at:start + name_at + length] == name[0]:
                data[start + name_at:start + name_at + length] = name[1]
            start += 4
    return bytes(data)


def demo_with(**extra: bytes) -> dict[str, bytes]:
    return {**DEMO_FILES, **extra}


BAD_ARCHIVES = {
    "header says smaller than the content": (
        lambda: lie(archive(demo_with(**{"notes.txt": b"x" * 100_000})), size=10), "does not match its content"),
    "header says larger than the content": (
        lambda: lie(archive(DEMO_FILES), size=1_000_000), "but its header says 1000000"),
    "bomb declared small": (
        lambda: lie(archive({"bundle.json": b"\0" * (50 * MB)}), size=1000), "does not match its content"),
    "bomb declared honestly": (
        lambda: archive(demo_with(**{"zeros.txt": b"\0" * (50 * MB)})), "a bundle may hold at most 8 MB"),
    "bomb spread over files": (
        lambda: archive(demo_with(**{f"z{i}.txt": b"\0" * (19 * MB // 10) for i in range(10)})),
        "a bundle may hold at most 8 MB"),
    "one file over the file limit": (
        lambda: archive(demo_with(**{"zeros.txt": b"\0" * (3 * MB)})), "zeros.txt is larger than 2 MB once inflated"),
    "too many entries": (
        lambda: archive({**{f"d{i}/": b"" for i in range(450)}, **DEMO_FILES}),
        "a bundle archive may hold at most 400"),
    "too many files": (
        lambda: archive(demo_with(**{f"f{i}.txt": b"x" for i in range(250)})), "a bundle may hold at most 200 files"),
    "parent folder": (lambda: archive(demo_with(**{"../evil.bpmn": b"x"})), "outside the bundle"),
    "nested parent folder": (lambda: archive(demo_with(**{"forms/../../evil.json": b"{}"})), "outside the bundle"),
    "absolute path": (lambda: archive(demo_with(**{"/etc/cron.d/evil": b"x"})), "by an absolute path"),
    "windows path": (lambda: archive(demo_with(**{"forms\\..\\..\\evil": b"x"})), "by an absolute path"),
    "drive letter": (lambda: archive(demo_with(**{"C:/evil": b"x"})), "by an absolute path"),
    "UTF-8 flag on a name that is not UTF-8": (
        lambda: lie(archive(demo_with(**{"é.json": b"{}"})), name=("é.json".encode(), b"\xff\xfe.json")),
        "not valid UTF-8"),
    "name that is not UTF-8": (
        lambda: lie(archive(demo_with(**{"XY.json": b"{}"})), name=(b"XY.json", b"\xff\xfe.json")), "not valid UTF-8"),
    "NUL in a name": (
        lambda: lie(archive(demo_with(**{"aXb.json": b"{}"})), name=(b"aXb.json", b"a\0b.json")), "control characters"),
    "the same name twice": (lambda: archive([("bundle.json", DEMO_FILES["bundle.json"]), *DEMO_FILES.items()]),
                            "holds 'bundle.json' twice"),
    "encrypted entries": (lambda: lie(archive(DEMO_FILES), flags=0x1), "is encrypted"),
    "unusual compression": (lambda: archive(DEMO_FILES, zipfile.ZIP_BZIP2), "use an ordinary zip"),
    "not a zip": (lambda: b"PK\x03\x04 this is not a zip", "not a zip archive of a process bundle"),
    "truncated zip": (lambda: archive(DEMO_FILES)[:900], "not a zip archive of a process bundle"),
    "file that is not text": (lambda: archive(demo_with(**{"forms/x.json": b"\xff\xfe\x00"})), "must be UTF-8 text"),
}


@pytest.fixture
def analyst(container):
    use_demo_process(container)
    add_user(container, "ana", "process_analyst")
    return sign_in(web_client(container), "ana")


def upload(client, data: bytes):
    return client.post("/modeler/import", data={"bundle": (io.BytesIO(data), "bundle.zip")},
                       content_type="multipart/form-data")


@pytest.mark.parametrize("case", BAD_ARCHIVES.values(), ids=BAD_ARCHIVES.keys())
def test_a_corrupt_lying_or_unsafe_archive_is_refused_with_400_and_no_version_is_created(analyst, container, case):
    make, reason = case
    before = version_rows(container)
    response = upload(analyst, make())
    page = response.get_data(as_text=True).replace("&#39;", "'")
    assert response.status_code == 400, page[:500]
    assert "The bundle was not imported." in page and reason in page
    assert version_rows(container) == before


def test_names_written_as_utf8_without_the_flag_are_read_as_utf8(analyst, container):
    data = lie(archive(demo_with(**{"notes/XY.txt": b"notes"})), name=(b"notes/XY.txt", "notes/é.txt".encode()))
    response = upload(analyst, data)
    assert response.status_code == 302
    with container.uow() as uow:
        newest = max(uow.versions.for_process("demo_complaint"), key=lambda v: v.number)
        assert "notes/é.txt" in uow.versions.get(newest.id).files


def test_an_archive_of_the_bundle_folder_still_imports(analyst):
    data = archive({f"demo/{name}": content for name, content in DEMO_FILES.items()})
    assert upload(analyst, data).status_code == 302
