"""Parsed process definitions, cached in memory once per bundle hash."""
from __future__ import annotations

from collections import OrderedDict
from threading import Lock

from .bundle import Bundle, bundle_from_files
from .engine import ProcessDefinition, parse_bundle


def bundle_of(version) -> Bundle:
    """The bundle stored on a version row."""
    return bundle_from_files({name: text.encode() for name, text in version.files.items()})


class DefinitionCache:
    """Keeps the most recently used parsed specs so a case load never re-parses its diagram."""

    def __init__(self, size: int = 64):
        self._items: OrderedDict[str, ProcessDefinition] = OrderedDict()
        self._size = size
        self._lock = Lock()

    def get(self, uow, version) -> ProcessDefinition:
        with self._lock:
            if version.sha256 in self._items:
                self._items.move_to_end(version.sha256)
                return self._items[version.sha256]
        bundle = bundle_of(version)
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
