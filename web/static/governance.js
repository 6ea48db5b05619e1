// The review page: the version in force and the proposed one side by side, with added, removed and changed
// elements coloured. bpmn-js-differ finds the changes; elements the server's change list names (for example a
// timer whose expression changed inside its event definition) are marked changed as well.
// Data comes from the JSON block written by the server (CSP forbids inline scripts); it names the files only. Each
// file's two diagrams are fetched when its tab opens, starting with the first file that changed.
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

  var loaded = {};

  function pair(data, index) {
    if (!loaded[index]) {
      loaded[index] = fetch(data.pairUrl + index, { credentials: 'same-origin', headers: { Accept: 'application/json' } })
        .then(function (response) {
          if (!response.ok) { throw new Error('the server answered ' + response.status); }
          return response.json();
        });
      loaded[index].catch(function () { delete loaded[index]; });
    }
    return loaded[index];
  }

  var shown = 0;

  function show(data, index) {
    var left = $('diff-left');
    var right = $('diff-right');
    var mine = ++shown;
    left.innerHTML = '';
    right.innerHTML = '';
    right.removeAttribute('data-ready');
    right.setAttribute('data-file', (data.files[index] || {}).file || '');
    if (!data.files[index]) { right.textContent = 'This version has no diagram.'; return; }
    right.textContent = 'Loading the diagrams…';
    pair(data, index).then(function (found) {
      if (mine !== shown) { return null; }
      right.textContent = '';
      if (!found.old) { left.textContent = 'No earlier diagram to compare with.'; }
      return window.ComplaintsDiff.mount({ left: left, right: right, oldXml: found.old || found.new, newXml: found.new })
        .then(function (summary) {
          if (mine !== shown) { return; }
          var changed = markServerChanges(summary.viewers.right, data.changed || [], summary);
          var all = new Set([].concat(summary.changed, changed));
          right.setAttribute('data-added', summary.added.join(' '));
          right.setAttribute('data-removed', summary.removed.join(' '));
          right.setAttribute('data-changed', Array.from(all).join(' '));
          var first = [].concat(changed, summary.changed, summary.added)[0];
          focusOn(summary.viewers.right, first);
          focusOn(summary.viewers.left, first);
          right.setAttribute('data-ready', 'true');
          if (!found.old) { left.textContent = 'No earlier diagram to compare with.'; }
        });
    }).catch(function (err) {
      if (mine === shown) { right.textContent = 'The diagrams could not be compared: ' + err.message; }
    });
  }

  // Tabs: click, or arrow keys / Home / End to move between files (the WAI-ARIA tabs pattern).
  function wireTabs(data) {
    var tabs = Array.prototype.slice.call(document.querySelectorAll('#diff-tabs [role=tab]'));
    function select(tab, focus) {
      tabs.forEach(function (t) {
        var on = t === tab;
        t.setAttribute('aria-selected', on ? 'true' : 'false');
        t.tabIndex = on ? 0 : -1;
      });
      $('diff-panel').setAttribute('aria-labelledby', tab.id);
      if (focus) { tab.focus(); }
      show(data, Number(tab.getAttribute('data-index')));
    }
    tabs.forEach(function (tab, i) {
      tab.addEventListener('click', function () { select(tab, false); });
      tab.addEventListener('keydown', function (event) {
        var to = { ArrowRight: i + 1, ArrowLeft: i - 1, Home: 0, End: tabs.length - 1 }[event.key];
        if (to === undefined) { return; }
        event.preventDefault();
        select(tabs[(to + tabs.length) % tabs.length], true);
      });
    });
  }

  function start() {
    var block = $('review-data');
    if (!block || !window.ComplaintsDiff) { return; }
    var data = JSON.parse(block.textContent);
    show(data, data.first || 0);
    wireTabs(data);
  }

  if (document.readyState === 'loading') { document.addEventListener('DOMContentLoaded', start); } else { start(); }
}());
