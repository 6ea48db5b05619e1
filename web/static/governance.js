// The review page: the version in force and the proposed one side by side, with added, removed and changed
// elements coloured. bpmn-js-differ finds the changes; elements the server's change list names (for example a
// timer whose expression changed inside its event definition) are marked changed as well.
// Data comes from the JSON block written by the server (CSP forbids inline scripts).
(function () {
  'use strict';

  function $(id) { return document.getElementById(id); }

  function markServerChanges(viewer, ids, summary) {
    var registry = viewer.get('elementRegistry');
    var canvas = viewer.get('canvas');
    var already = new Set([].concat(summary.added, summary.changed));
    return ids.filter(function (id) {
      if (already.has(id) || !registry.get(id)) { return already.has(id); }
      canvas.addMarker(id, 'diff-changed');
      return true;
    });
  }

  // Big diagrams fit the viewer at a tiny scale; bring the first change into view at full size in both viewers.
  function focusOn(viewer, id) {
    var shape = id && viewer.get('elementRegistry').get(id);
    if (!shape) { return; }
    var canvas = viewer.get('canvas');
    if (canvas.zoom() < 0.8) { canvas.zoom(1); }
    canvas.scrollToElement(shape, { top: 150, bottom: 150, left: 150, right: 150 });
  }

  function show(data, index) {
    var left = $('diff-left');
    var right = $('diff-right');
    var pair = data.pairs[index];
    left.innerHTML = '';
    right.innerHTML = '';
    right.removeAttribute('data-ready');
    if (!pair) { right.textContent = 'This version has no diagram.'; return; }
    if (!pair.old) { left.textContent = 'No earlier diagram to compare with.'; }
    window.ComplaintsDiff.mount({ left: left, right: right, oldXml: pair.old || pair.new, newXml: pair.new })
      .then(function (summary) {
        var changed = markServerChanges(summary.viewers.right, data.changed || [], summary);
        var all = new Set([].concat(summary.changed, changed));
        right.setAttribute('data-added', summary.added.join(' '));
        right.setAttribute('data-removed', summary.removed.join(' '));
        right.setAttribute('data-changed', Array.from(all).join(' '));
        var first = [].concat(changed, summary.changed, summary.added)[0];
        focusOn(summary.viewers.right, first);
        focusOn(summary.viewers.left, first);
        right.setAttribute('data-ready', 'true');
        if (!pair.old) { left.textContent = 'No earlier diagram to compare with.'; }
      })
      .catch(function (err) { right.textContent = 'The diagrams could not be compared: ' + err.message; });
  }

  function start() {
    var block = $('review-data');
    if (!block || !window.ComplaintsDiff) { return; }
    var data = JSON.parse(block.textContent);
    var select = $('diff-file');
    show(data, 0);
    if (select) {
      select.addEventListener('change', function () { show(data, Number(select.value)); });
    }
  }

  if (document.readyState === 'loading') { document.addEventListener('DOMContentLoaded', start); } else { start(); }
}());
