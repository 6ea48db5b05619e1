// Browser entry for the diagram pages. Exposes four globals:
//   ComplaintsModeler, ComplaintsViewer, ComplaintsDiff, ComplaintsDmn.
import BpmnModeler from 'bpmn-js/lib/Modeler';
import NavigatedViewer from 'bpmn-js/lib/NavigatedViewer';
import DmnModeler from 'dmn-js/lib/Modeler';
import { BpmnPropertiesPanelModule, BpmnPropertiesProviderModule } from 'bpmn-js-properties-panel';
import { diff } from 'bpmn-js-differ';

import spiffModdle from './spiffworkflow-moddle.json';
import SpiffPropertiesProvider from './spiff-properties.js';

const moddleExtensions = { spiffworkflow: spiffModdle };
const SpiffPropertiesModule = {
  __init__: [ 'spiffPropertiesProvider' ],
  spiffPropertiesProvider: [ 'type', SpiffPropertiesProvider ]
};

// Add `cls` to every id that exists in the diagram; returns the ids marked.
function mark(viewer, ids, cls) {
  const canvas = viewer.get('canvas');
  const registry = viewer.get('elementRegistry');
  const found = (ids || []).filter((id) => registry.get(id));
  found.forEach((id) => canvas.addMarker(id, cls));
  return found;
}

function fit(viewer) {
  viewer.get('canvas').zoom('fit-viewport', 'auto');
}

function importInto(viewer, xml) {
  return (xml ? viewer.importXML(xml) : viewer.createDiagram()).then((result) => {
    fit(viewer);
    return result;
  });
}

// BPMN editor with the standard properties panel plus the "Spiff" group.
// `ready` settles when the import is done; saveXML/highlight wait for it.
function mountModeler({ container, propertiesPanel, xml, onChange }) {
  const modeler = new BpmnModeler({
    container,
    propertiesPanel: propertiesPanel ? { parent: propertiesPanel } : undefined,
    additionalModules: [ BpmnPropertiesPanelModule, BpmnPropertiesProviderModule, SpiffPropertiesModule ],
    moddleExtensions
  });
  const ready = importInto(modeler, xml);
  if (onChange) {
    modeler.on('commandStack.changed', () => onChange());
  }
  let highlighted = [];
  return {
    modeler,
    ready,
    saveXML: () => ready.then(() => modeler.saveXML({ format: true })).then((r) => r.xml),
    highlight: (elementIds) => ready.then(() => {
      const canvas = modeler.get('canvas');
      highlighted.forEach((id) => canvas.removeMarker(id, 'validation-error'));
      highlighted = mark(modeler, elementIds, 'validation-error');
      return highlighted;
    })
  };
}

// Read-only instance view: completed / current / waiting element markers.
function mountViewer({ container, xml, markers = {} }) {
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
function mountDiff({ left, right, oldXml, newXml }) {
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

// Starting point when no DMN XML is given.
const EMPTY_DMN = `<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="https://www.omg.org/spec/DMN/20191111/MODEL/" xmlns:dmndi="https://www.omg.org/spec/DMN/20191111/DMNDI/" xmlns:dc="http://www.omg.org/spec/DMN/20180521/DC/" id="Definitions_1" name="Decisions" namespace="http://spiffworkflow.org/dmn">
  <decision id="Decision_1" name="Decision 1">
    <decisionTable id="DecisionTable_1">
      <input id="Input_1"><inputExpression id="InputExpression_1" typeRef="string"><text></text></inputExpression></input>
      <output id="Output_1" typeRef="string" />
    </decisionTable>
  </decision>
  <dmndi:DMNDI><dmndi:DMNDiagram id="DMNDiagram_1"><dmndi:DMNShape id="DMNShape_1" dmnElementRef="Decision_1"><dc:Bounds height="80" width="180" x="160" y="100" /></dmndi:DMNShape></dmndi:DMNDiagram></dmndi:DMNDI>
</definitions>`;

// DMN editor (DRD, decision tables, literal expressions).
function mountDmn({ container, xml }) {
  const modeler = new DmnModeler({ container });
  const ready = modeler.importXML(xml || EMPTY_DMN);
  return {
    modeler,
    ready,
    saveXML: () => ready.then(() => modeler.saveXML({ format: true })).then((r) => r.xml)
  };
}

window.ComplaintsModeler = { mount: mountModeler };
window.ComplaintsViewer = { mount: mountViewer };
window.ComplaintsDiff = { mount: mountDiff };
window.ComplaintsDmn = { mount: mountDmn };
