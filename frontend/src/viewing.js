// Shared by both bundles: importing a diagram, fitting it to its container, markers, the viewer and the diff.
import NavigatedViewer from 'bpmn-js/lib/NavigatedViewer';
import { diff } from 'bpmn-js-differ';

import spiffModdle from './spiffworkflow-moddle.json';

export const moddleExtensions = { spiffworkflow: spiffModdle };

// Add `cls` to every id that exists in the diagram; returns the ids marked.
export function mark(viewer, ids, cls) {
  const canvas = viewer.get('canvas');
  const registry = viewer.get('elementRegistry');
  const found = (ids || []).filter((id) => registry.get(id));
  found.forEach((id) => canvas.addMarker(id, cls));
  return found;
}

export function fit(viewer) {
  viewer.get('canvas').zoom('fit-viewport', 'auto');
}

export function importInto(viewer, xml) {
  return (xml ? viewer.importXML(xml) : viewer.createDiagram()).then((result) => {
    fit(viewer);
    return result;
  });
}

// Read-only instance view: completed / current / waiting element markers.
export function mountViewer({ container, xml, markers = {} }) {
  const viewer = new NavigatedViewer({ container, moddleExtensions });
  const ready = importInto(viewer, xml).then((result) => {
    mark(viewer, markers.completed, 'done');
    mark(viewer, markers.current, 'current');
    mark(viewer, markers.waiting, 'waiting');
    return result;
  });
  return { viewer, ready };
}

// Two viewers side by side (old left, new right); resolves to the diff summary:
// ids per kind, changed attributes per id, and the raw differ result.
export function mountDiff({ left, right, oldXml, newXml }) {
  const oldViewer = new NavigatedViewer({ container: left, moddleExtensions });
  const newViewer = new NavigatedViewer({ container: right, moddleExtensions });
  return Promise.all([ importInto(oldViewer, oldXml), importInto(newViewer, newXml) ]).then(() => {
    const raw = diff(oldViewer.getDefinitions(), newViewer.getDefinitions());
    const summary = {
      added: Object.keys(raw._added),
      removed: Object.keys(raw._removed),
      changed: Object.keys(raw._changed),
      layoutChanged: Object.keys(raw._layoutChanged),
      // bpmn-js-differ 3.2.0 reports attrs with oldValue/newValue swapped; fix here.
      attrs: Object.fromEntries(Object.entries(raw._changed).map(([id, change]) => [
        id,
        Object.fromEntries(Object.entries(change.attrs).map(([name, v]) => [
          name, { oldValue: v.newValue, newValue: v.oldValue }
        ]))
      ])),
      raw,
      viewers: { left: oldViewer, right: newViewer }
    };
    mark(newViewer, summary.added, 'diff-added');
    mark(oldViewer, summary.removed, 'diff-removed');
    for (const viewer of [ oldViewer, newViewer ]) {
      mark(viewer, summary.changed, 'diff-changed');
      mark(viewer, summary.layoutChanged, 'diff-layout-changed');
    }
    return summary;
  });
}

