// Browser entry for the read-only diagram pages (the review page): bpmn-js's viewer and the differ only, without the
// modeler, its properties panel or dmn-js, so the page stays light. Exposes ComplaintsViewer and ComplaintsDiff.
import { mountDiff, mountViewer } from './viewing.js';

window.ComplaintsViewer = { mount: mountViewer };
window.ComplaintsDiff = { mount: mountDiff };
