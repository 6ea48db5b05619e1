// Browser entry for the diagram pages. Exposes four globals:
//   ComplaintsModeler, ComplaintsViewer, ComplaintsDiff, ComplaintsDmn.
import BpmnModeler from 'bpmn-js/lib/Modeler';
import DmnModeler from 'dmn-js/lib/Modeler';
import { BpmnPropertiesPanelModule, BpmnPropertiesProviderModule } from 'bpmn-js-properties-panel';

import SpiffPropertiesProvider from './spiff-properties.js';
import { importInto, mark, moddleExtensions, mountDiff, mountViewer } from './viewing.js';

const SpiffPropertiesModule = {
  __init__: [ 'spiffPropertiesProvider' ],
  spiffPropertiesProvider: [ 'type', SpiffPropertiesProvider ]
};

// Labels large enough to read at the zoom a whole diagram opens at (bpmn-js draws 12px by default).
const READABLE_TEXT = { defaultStyle: { fontSize: '14px', lineHeight: 1.2 }, externalStyle: { fontSize: '13px' } };
const MIN_OPEN_SCALE = 0.7; // below this labels cannot be read: open at the diagram's start instead of shrinking it

// Show the diagram beside the palette (which sits over the canvas's left edge), not under it: fit what fits at a
// readable scale, otherwise start at the diagram's top left at the smallest readable scale.
export function fitBesidePalette(modeler) {
  const canvas = modeler.get('canvas');
  canvas.zoom('fit-viewport', 'auto');
  const palette = canvas.getContainer().querySelector('.djs-palette');
  const left = (palette ? palette.getBoundingClientRect().width : 0) + 24;
  const { outer, inner } = canvas.viewbox();
  if (!inner.width || !inner.height || !outer.width) { return; }
  const fits = Math.min((outer.width - left - 24) / inner.width, (outer.height - 48) / inner.height, 1);
  const scale = Math.max(fits, MIN_OPEN_SCALE);
  canvas.viewbox({ x: inner.x - left / scale, y: inner.y - 24 / scale, width: outer.width / scale,
    height: outer.height / scale });
}

// BPMN editor with the standard properties panel plus the "Spiff" group.
// `ready` settles when the import is done; saveXML/highlight wait for it.
function mountModeler({ container, propertiesPanel, xml, onChange }) {
  const modeler = new BpmnModeler({
    container,
    propertiesPanel: propertiesPanel ? { parent: propertiesPanel } : undefined,
    additionalModules: [ BpmnPropertiesPanelModule, BpmnPropertiesProviderModule, SpiffPropertiesModule ],
    textRenderer: READABLE_TEXT,
    moddleExtensions
  });
  const ready = importInto(modeler, xml).then((result) => {
    fitBesidePalette(modeler);
    return result;
  });
  if (onChange) {
    modeler.on('commandStack.changed', () => onChange());
  }
  let highlighted = [];
  return {
    modeler,
    ready,
    // the container changed size (the properties panel was resized): let the canvas redraw at its new size
    resized: () => modeler.get('canvas').resized(),
    saveXML: () => ready.then(() => modeler.saveXML({ format: true })).then((r) => r.xml),
    highlight: (elementIds) => ready.then(() => {
      const canvas = modeler.get('canvas');
      highlighted.forEach((id) => canvas.removeMarker(id, 'validation-error'));
      highlighted = mark(modeler, elementIds, 'validation-error');
      return highlighted;
    })
  };
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
