"""Parsed process definitions, cached in memory once per bundle hash."""
from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass
from threading import Lock
from typing import TYPE_CHECKING

from .bundle import Bundle, bundle_from_files
from .engine import ProcessDefinition, parse_bundle
from .vocabulary import VersionState

if TYPE_CHECKING:
    from .aggregates import Version
    from .ports import UnitOfWork


def bundle_of(version: Version) -> Bundle:
    """The bundle stored on a version row."""
    return bundle_from_files({name: text.encode() for name, text in version.files.items()})


@dataclass(frozen=True)
class VersionInfo:
    """What a case run needs of its version; fixed once the version has been submitted."""

    id: int
    process_key: str
    number: int
    sha256: str


class DefinitionCache:
    """Keeps the most recently used parsed specs so a case load never re-parses its diagram."""

    def __init__(self, size: int = 64):
        self._items: OrderedDict[str, ProcessDefinition] = OrderedDict()
        self._versions: dict[int, VersionInfo] = {}
        self._size = size
        self._lock = Lock()

    def for_version(self, uow: UnitOfWork, version_id: int) -> tuple[VersionInfo, ProcessDefinition]:
        """The version and its parsed definition; submitted versions are immutable, so both are cached."""
        info = self._versions.get(version_id)
        if info is not None and info.sha256 in self._items:
            return info, self.get(uow, info)
        version = uow.versions.get(version_id)
        if version is None:
            raise LookupError(f"no process version {version_id}")
        info = VersionInfo(version.id, version.process_key, version.number, version.sha256)
        definition = self.get(uow, version)
        if version.state != VersionState.DRAFT:
            self._versions[version_id] = info
        return info, definition

    def get(self, uow: UnitOfWork, version: Version | VersionInfo) -> ProcessDefinition:
        """The parsed definition of a version row, parsed or restored once per bundle hash."""
        with self._lock:
            if version.sha256 in self._items:
                self._items.move_to_end(version.sha256)
                return self._items[version.sha256]
        stored_version = version if not isinstance(version, VersionInfo) else uow.versions.get(version.id)
        if stored_version is None:
            raise LookupError(f"no process version {version.id}")
        bundle = bundle_of(stored_version)
        stored = uow.versions.spec_json(version.sha256)
        if stored is None:
            definition = parse_bundle(bundle)
            uow.versions.store_spec(version.sha256, definition.to_json())
        else:
            definition = ProcessDefinition.from_json(bundle, stored)
        with self._lock:
            self._items[version.sha256] = definition
            while len(self._items) > self._size:
                self._items.popitem(last=False)
        return definition
