"""Bundle archives: a zip of a bundle's files that records the bundle's hash, read back with limits."""
from __future__ import annotations

import io
import zipfile

from .bundle import MAX_BUNDLE_BYTES, MAX_FILE_BYTES, MAX_FILES, Bundle, bundle_from_files
from .errors import BundleInvalid

HASH_FILE = "bundle.sha256"
_FIXED_TIME = (1980, 1, 1, 0, 0, 0)  # the same bundle always gives the same archive bytes


def bundle_to_zip(bundle: Bundle) -> bytes:
    """The bundle's files plus bundle.sha256, in name order, with fixed timestamps."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name in sorted(bundle.files):
            archive.writestr(zipfile.ZipInfo(name, _FIXED_TIME), bundle.files[name])
        archive.writestr(zipfile.ZipInfo(HASH_FILE, _FIXED_TIME), f"{bundle.sha256}  {bundle.process_key}\n")
    return buffer.getvalue()


def bundle_from_zip(data: bytes) -> Bundle:
    """Read an archive into a bundle; refuse oversized, unsafe or altered archives with a clear reason."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        raise BundleInvalid([{"message": "the upload is not a zip archive of a process bundle"}]) from None
    with archive:
        entries = [info for info in archive.infolist() if not info.is_dir()]
        if len(entries) > MAX_FILES + 1:
            raise BundleInvalid([{"message": f"a bundle may hold at most {MAX_FILES} files"}])
        if sum(info.file_size for info in entries) > MAX_BUNDLE_BYTES:
            raise BundleInvalid([{"message": f"a bundle may hold at most {MAX_BUNDLE_BYTES // 1024 // 1024} MB"}])
        files = {info.filename: _read(archive, info) for info in entries}
    prefix = _common_folder(files)
    files = {name[len(prefix):]: content for name, content in files.items()}
    recorded = files.pop(HASH_FILE, None)
    bundle = bundle_from_files(files)
    if recorded is not None:
        expected = recorded.decode("utf-8", "replace").split()[0] if recorded.strip() else ""
        if expected != bundle.sha256:
            raise BundleInvalid([{"file": HASH_FILE, "message": f"the archive records hash {expected[:64]!r} but its files "
                                                                f"hash to {bundle.sha256}; it may have been altered"}])
    return bundle


def _read(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> bytes:
    # Read at most one byte past the limit, so a header that lies about its size cannot exhaust memory.
    with archive.open(info) as handle:
        content = handle.read(MAX_FILE_BYTES + 1)
    if len(content) > MAX_FILE_BYTES:
        raise BundleInvalid([{"file": info.filename,
                              "message": f"{info.filename} is larger than {MAX_FILE_BYTES // 1024 // 1024} MB"}])
    return content


def _common_folder(files: dict[str, bytes]) -> str:
    """The single top folder everything sits in (an archive of a folder), or ''."""
    if "bundle.json" in files:
        return ""
    tops = {name.split("/", 1)[0] for name in files}
    if len(tops) == 1 and all("/" in name for name in files):
        return tops.pop() + "/"
    return ""
