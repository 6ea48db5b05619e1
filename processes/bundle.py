"""Process bundles: the files of one process, their identity, and safe parsing into specs."""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring as defused_fromstring
from lxml import etree

from .errors import BundleInvalid, InvalidInput
from .input_bounds import NUL, nul_paths

MAX_FILE_BYTES = 2 * 1024 * 1024
MAX_BUNDLE_BYTES = 8 * 1024 * 1024
MAX_FILES = 200
MANIFEST = "bundle.json"
XML_SUFFIXES = (".bpmn", ".dmn")
_LXML_PARSER_OPTIONS = dict(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)


@dataclass(frozen=True)
class Bundle:
    """Everything one process needs: BPMN, DMN, JSON-Schema forms, templates and a manifest."""

    files: dict[str, bytes]
    manifest: dict = field(default_factory=dict)

    @property
    def process_key(self) -> str:
        return self.manifest["process_key"]

    @property
    def entry_process(self) -> str:
        return self.manifest["entry_process"]

    @property
    def sha256(self) -> str:
        """Identity of the bundle: hash of its sorted file names and contents."""
        digest = hashlib.sha256()
        for name in sorted(self.files):
            digest.update(name.encode() + b"\0" + hashlib.sha256(self.files[name]).digest())
        return digest.hexdigest()

    def xml_files(self) -> dict[str, bytes]:
        return {n: c for n, c in self.files.items() if n.endswith(XML_SUFFIXES)}

    def json_file(self, name: str) -> dict:
        """A JSON file of the bundle (for example a form), or a clear error."""
        try:
            return json.loads(self.files[name])
        except KeyError:
            raise BundleInvalid([{"file": name, "message": f"file {name!r} is not in the bundle"}]) from None
        except ValueError as exc:
            raise BundleInvalid([{"file": name, "message": f"{name} is not valid JSON: {exc}"}]) from None


def bundle_from_files(files: dict[str, bytes]) -> Bundle:
    """Check limits and the manifest and build a bundle from named file contents."""
    problems = []
    if len(files) > MAX_FILES:
        problems.append({"message": f"a bundle may hold at most {MAX_FILES} files"})
    if sum(len(c) for c in files.values()) > MAX_BUNDLE_BYTES:
        problems.append({"message": f"a bundle may hold at most {MAX_BUNDLE_BYTES // 1024 // 1024} MB"})
    for name, content in files.items():
        if len(content) > MAX_FILE_BYTES:
            problems.append({"file": name, "message": f"{name} is larger than {MAX_FILE_BYTES // 1024 // 1024} MB"})
        if name.startswith("/") or ".." in name.split("/") or NUL in name:
            problems.append({"file": name.replace(NUL, ""), "message": f"file name {name!r} is not allowed"})
    if problems:
        raise BundleInvalid(problems)
    if MANIFEST not in files:
        raise BundleInvalid([{"file": MANIFEST, "message": "the bundle has no bundle.json manifest"}])
    manifest = Bundle(files).json_file(MANIFEST)
    missing = [k for k in ("process_key", "entry_process") if not manifest.get(k)]
    if missing:
        raise BundleInvalid([{"file": MANIFEST, "message": f"bundle.json lacks {', '.join(missing)}"}])
    if nul_paths(manifest):  # its texts become columns, and no text column can hold NUL
        raise BundleInvalid([{"file": MANIFEST, "message": f"bundle.json: {path} holds a NUL character"}
                             for path in nul_paths(manifest)])
    return Bundle(dict(files), manifest)


MAX_BASE_DEPTH = 4


def bundle_from_directory(path: Path) -> Bundle:
    """Read a bundle folder; `include` names files or folders of bpmn/ (e.g. "shared") copied in under that name.

    `base` names a sibling bundle folder whose files (with its own includes) the bundle starts from; the folder's
    own files, its bundle.json first of all, replace the base's. A division's process is such a folder: its
    version 1 is the shared group lifecycle under its own process key.
    """
    return bundle_from_files(_directory_files(Path(path), depth=0))


def _directory_files(path: Path, depth: int) -> dict[str, bytes]:
    own = _read_tree(path, path)
    manifest = json.loads(own.get(MANIFEST, b"{}"))
    files: dict[str, bytes] = {}
    base = manifest.get("base")
    if base:
        if not isinstance(base, str) or not base or "/" in base or "\\" in base or base.startswith(".") \
                or depth >= MAX_BASE_DEPTH:
            raise BundleInvalid([{"file": MANIFEST, "message": f"bundle.json: base {base!r} must name a sibling "
                                                               f"bundle folder (at most {MAX_BASE_DEPTH} deep)"}])
        if not (path.parent / base / MANIFEST).is_file():
            raise BundleInvalid([{"file": MANIFEST, "message": f"bundle.json: base bundle {base!r} does not exist"}])
        files.update(_directory_files(path.parent / base, depth + 1))
    files.update(own)
    for include in manifest.get("include", []):
        files.update(_read_tree(path.parent / include, path.parent))
    return files


def bundle_to_directory(bundle: Bundle, path: Path) -> list[Path]:
    """Write a bundle as the folder `bundle_from_directory` reads: its own files under `path`, the files of each
    folder its manifest includes (e.g. "shared/...") beside it, under `path.parent`, where the manifest finds them.

    Files in those folders that the bundle does not hold are removed, so the folders end up exactly the bundle.
    A folder holding another process's bundle, or files but no bundle.json, is refused and nothing is written.
    Returns the folders written."""
    path = Path(path)
    if bundle.manifest.get("base"):
        return _write_on_base(bundle, path)
    includes = [str(name).strip("/") for name in bundle.manifest.get("include", [])]
    _refuse_foreign_folder(path, bundle.process_key, [path.parent / name for name in includes])
    roots: dict[Path, dict[Path, bytes]] = {path: {}} | {path.parent / name: {} for name in includes}
    for name, content in bundle.files.items():
        included = next((inc for inc in includes if name == inc or name.startswith(inc + "/")), None)
        target = (path.parent / name) if included else (path / name)
        roots[path.parent / included if included else path][target] = content
    for root, wanted in roots.items():
        if root.exists():
            for old in sorted(p for p in root.rglob("*") if p.is_file() and p not in wanted):
                old.unlink()
        for target, content in wanted.items():
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(content)
    return list(roots)


def _write_on_base(bundle: Bundle, path: Path) -> list[Path]:
    """A bundle built on a base (a division's process): only the files that differ from the base folder beside
    `path` are written, as in bpmn/; the base itself is never touched."""
    base = path.parent / str(bundle.manifest["base"])
    if not (base / MANIFEST).is_file():
        raise _folder_refused(f"{bundle.process_key} is built on {bundle.manifest['base']!r}: export it beside that "
                              f"bundle folder (e.g. into bpmn/{bundle.process_key}, or a copy of bpmn/)")
    _refuse_foreign_folder(path, bundle.process_key, [])
    provided = _directory_files(base, depth=1)
    dropped = sorted(name for name in provided if name not in bundle.files)
    if dropped:
        raise _folder_refused(f"the version no longer has {', '.join(dropped)}, which its base {base} provides; "
                              "a folder built on a base cannot leave base files out")
    wanted = {path / name: content for name, content in bundle.files.items() if provided.get(name) != content}
    if path.exists():
        for old in sorted(p for p in path.rglob("*") if p.is_file() and p not in wanted):
            old.unlink()
    for target, content in wanted.items():
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(content)
    return [path]


def _refuse_foreign_folder(path: Path, process_key: str, includes: list[Path]) -> None:
    if path.exists() and not path.is_dir():
        raise _folder_refused(f"{path} is a file, not a folder")
    manifest = path / MANIFEST
    if manifest.is_file():
        try:
            read = json.loads(manifest.read_bytes())
        except ValueError:
            read = None
        found = read.get("process_key") if isinstance(read, dict) else None
        if found != process_key:
            raise _folder_refused(f"{path} holds the bundle of process {found!r}, not {process_key!r}; "
                                  "choose another folder")
        return  # updating a bundle folder of this process: its included folders are updated with it
    if path.is_dir() and any(path.iterdir()):
        raise _folder_refused(f"{path} is not empty and is not a bundle folder; choose an empty or new folder")
    for folder in includes:  # a new bundle folder never takes over files already beside it
        if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
            raise _folder_refused(f"{folder} already exists beside the new bundle folder {path}; export into a "
                                  "copy of bpmn/ or an empty folder")


def _folder_refused(message: str) -> InvalidInput:
    return InvalidInput(message, {"DIR": [message]})


def _read_tree(source: Path, base: Path) -> dict[str, bytes]:
    paths = sorted(source.rglob("*")) if source.is_dir() else [source]
    return {p.relative_to(base).as_posix(): p.read_bytes() for p in paths if p.is_file()}


def parse_xml_safely(name: str, content: bytes) -> etree._Element:
    """Parse XML with no DOCTYPE, entities or network access; anything else is refused clearly."""
    try:
        defused_fromstring(content, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DefusedXmlException as exc:
        raise BundleInvalid([{"file": name, "message": f"{name}: DOCTYPE and entity declarations are not allowed "
                                                       f"({type(exc).__name__})"}]) from None
    except Exception as exc:  # expat reports malformed XML as ParseError
        raise BundleInvalid([{"file": name, "message": f"{name} is not well-formed XML: {exc}"}]) from None
    try:
        return etree.fromstring(content, etree.XMLParser(**_LXML_PARSER_OPTIONS))
    except etree.XMLSyntaxError as exc:
        raise BundleInvalid([{"file": name, "message": f"{name} is not well-formed XML: {exc}"}]) from None
