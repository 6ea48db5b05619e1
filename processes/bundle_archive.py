"""Bundle archives: a zip of a bundle's files that records the bundle's hash, read back with limits.

An uploaded archive is untrusted: its headers may lie about sizes, it may inflate far beyond what it declares, or
name files outside the bundle. Each of those is refused with a clear reason (BundleInvalid) before anything is kept;
sizes are counted on the bytes actually inflated, never taken from the headers.
"""
from __future__ import annotations

import io
import zipfile
import zlib

from .bundle import MAX_BUNDLE_BYTES, MAX_FILE_BYTES, MAX_FILES, Bundle, bundle_from_files
from .errors import BundleInvalid

HASH_FILE = "bundle.sha256"
MAX_ENTRIES = 2 * MAX_FILES  # files and folders together
CHUNK = 64 * 1024
_FIXED_TIME = (1980, 1, 1, 0, 0, 0)  # the same bundle always gives the same archive bytes
_UTF8_FLAG = 0x800
_ENCRYPTED_FLAG = 0x1
_METHODS = {zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED}
_MB = 1024 * 1024


def bundle_to_zip(bundle: Bundle) -> bytes:
    """The bundle's files plus bundle.sha256, in name order, with fixed timestamps."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name in sorted(bundle.files):
            archive.writestr(zipfile.ZipInfo(name, _FIXED_TIME), bundle.files[name])
        archive.writestr(zipfile.ZipInfo(HASH_FILE, _FIXED_TIME), f"{bundle.sha256}  {bundle.process_key}\n")
    return buffer.getvalue()


def bundle_from_zip(data: bytes) -> Bundle:
    """Read an archive into a bundle; refuse oversized, unsafe, damaged or altered archives with a clear reason."""
    archive = _open(data)
    with archive:
        infos = archive.infolist()
        if len(infos) > MAX_ENTRIES:
            raise _refused(f"the archive holds {len(infos)} entries; a bundle archive may hold at most {MAX_ENTRIES}")
        entries = [(name, info) for name, info in _named(infos) if not info.is_dir()]
        if len(entries) > MAX_FILES + 1:
            raise _refused(f"a bundle may hold at most {MAX_FILES} files")
        if sum(info.file_size for _, info in entries) > MAX_BUNDLE_BYTES:  # honest headers: refused before inflating
            raise _refused(f"a bundle may hold at most {MAX_BUNDLE_BYTES // _MB} MB")
        files = _inflate(archive, entries)
    prefix = _common_folder(files)
    files = {name[len(prefix):]: content for name, content in files.items()}
    recorded = files.pop(HASH_FILE, None)
    bundle = bundle_from_files(files)
    if recorded is not None:
        expected = recorded.decode("utf-8", "replace").split()[0] if recorded.strip() else ""
        if expected != bundle.sha256:
            raise BundleInvalid([{"file": HASH_FILE,
                                  "message": f"the archive records hash {expected[:64]!r} but its files "
                                             f"hash to {bundle.sha256}; it may have been altered"}])
    return bundle


def _open(data: bytes) -> zipfile.ZipFile:
    try:
        return zipfile.ZipFile(io.BytesIO(data))
    except UnicodeDecodeError:  # an entry flagged as UTF-8 whose name is not
        raise _refused("a file name in the archive is not valid UTF-8") from None
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError, OSError):
        raise _refused("the upload is not a zip archive of a process bundle (or the archive is damaged)") from None


def _named(infos: list[zipfile.ZipInfo]) -> list[tuple[str, zipfile.ZipInfo]]:
    """Each entry with its UTF-8 name, once each, after refusing names and entries a bundle cannot hold."""
    seen: set[str] = set()
    named = []
    for info in infos:
        name = _utf8_name(info)
        shown = name[:200]
        parts = name.rstrip("/").split("/")
        if "\0" in info.orig_filename or any(ord(c) < 32 or ord(c) == 127 for c in name):
            raise _refused(f"the archive names a file with control characters ({info.orig_filename[:200]!r})")
        if name.startswith("/") or "\\" in name or (len(name) > 1 and name[1] == ":"):
            raise _refused(f"the archive names a file by an absolute path ({shown!r}); bundle files are relative")
        if ".." in parts or "" in parts or "." in parts:
            raise _refused(f"the archive names a file outside the bundle or by an unusual path ({shown!r})")
        if name in seen:
            raise _refused(f"the archive holds {shown!r} twice")
        seen.add(name)
        if info.flag_bits & _ENCRYPTED_FLAG:
            raise _refused(f"{shown} in the archive is encrypted; export the bundle without a password")
        if info.compress_type not in _METHODS and not info.is_dir():
            raise _refused(f"{shown} in the archive is compressed with method {info.compress_type}; "
                           "use an ordinary zip (stored or deflated)")
        named.append((name, info))
    return named


def _utf8_name(info: zipfile.ZipInfo) -> str:
    if info.flag_bits & _UTF8_FLAG:
        return info.filename
    # Without the flag Python reads the name as CP437; many tools write UTF-8 without setting it.
    raw = info.filename.encode("cp437")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        raise _refused(f"a file name in the archive is not valid UTF-8 ({raw[:100]!r})") from None


def _inflate(archive: zipfile.ZipFile, entries: list[tuple[str, zipfile.ZipInfo]]) -> dict[str, bytes]:
    """Every entry's content, counting the bytes as they inflate so a lying header or a zip bomb stops early."""
    files, total = {}, 0
    for name, info in entries:
        chunks, size = [], 0
        try:
            with archive.open(info) as handle:
                while chunk := handle.read(CHUNK):
                    size += len(chunk)
                    total += len(chunk)
                    if size > MAX_FILE_BYTES:
                        raise BundleInvalid([{"file": name, "message": f"{name} is larger than "
                                                                       f"{MAX_FILE_BYTES // _MB} MB once inflated"}])
                    if total > MAX_BUNDLE_BYTES:
                        raise _refused(f"the archive inflates to more than {MAX_BUNDLE_BYTES // _MB} MB")
                    chunks.append(chunk)
        except (zipfile.BadZipFile, zlib.error, EOFError, ValueError, NotImplementedError, RuntimeError,
                OSError) as exc:
            raise BundleInvalid([{"file": name, "message": f"{name} in the archive is damaged or its header does not "
                                                           f"match its content ({exc})"}]) from None
        if size != info.file_size:
            raise BundleInvalid([{"file": name,
                                  "message": f"{name} in the archive holds {size} bytes but its header "
                                             f"says {info.file_size}; the archive is damaged or altered"}])
        files[name] = b"".join(chunks)
    return files


def _refused(message: str) -> BundleInvalid:
    return BundleInvalid([{"message": message}])


def _common_folder(files: dict[str, bytes]) -> str:
    """The single top folder everything sits in (an archive of a folder), or ''."""
    if "bundle.json" in files:
        return ""
    tops = {name.split("/", 1)[0] for name in files}
    if len(tops) == 1 and all("/" in name for name in files):
        return tops.pop() + "/"
    return ""
