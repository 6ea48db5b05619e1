// Draws the case's diagram with completed, current and waiting elements marked.
// Data comes from the JSON block written by the server (CSP forbids inline scripts).
(function () {
  'use strict';
  function start() {
    var holder = document.getElementById('case-diagram');
    var data = document.getElementById('case-diagram-data');
    if (!holder || !data || !window.ComplaintsViewer || !holder.dataset) { return; }
    var parsed = JSON.parse(data.textContent);
    if (!parsed.xml) { holder.textContent = 'No diagram is stored for this version.'; return; }
    window.ComplaintsViewer.mount({ container: holder, xml: parsed.xml, markers: parsed.markers }).ready
      .then(function () { holder.setAttribute('data-ready', 'true'); })
      .catch(function (err) { holder.textContent = 'The diagram could not be drawn: ' + err.message; });
  }
  if (document.readyState === 'loading') { document.addEventListener('DOMContentLoaded', start); } else { start(); }
}());
