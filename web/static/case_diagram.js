// Draws the case's diagram with completed, current and waiting elements marked, and opens call activities:
// choosing one loads the called process of the version's bundle and shows where the case is inside it.
// Data comes from the JSON block written by the server (CSP forbids inline scripts).
(function () {
  'use strict';

  function start() {
    var holder = document.getElementById('case-diagram');
    var data = document.getElementById('case-diagram-data');
    if (!holder || !data || !window.ComplaintsViewer) { return; }
    var parsed = JSON.parse(data.textContent);
    var state = parsed.state || {};
    if (!parsed.xml) { holder.textContent = 'No diagram is stored for this version.'; return; }
    var processes = state.processes || [];
    var cache = {};
    cache[state.entry] = Promise.resolve(parsed.xml);
    var trailNav = document.getElementById('case-diagram-trail');
    var tools = document.getElementById('case-diagram-tools');
    var current = null;
    var levels = [];  // [{process, name}] from the entry process down to the one shown

    function known(processId) { return processes.indexOf(processId) !== -1; }

    // Markers of a process, plus those of subprocesses embedded in it (they share its diagram).
    function markersFor(processId) {
      var all = state.markers || {};
      var merged = { completed: [], current: [], waiting: [] };
      Object.keys(all).forEach(function (name) {
        if (name === processId || !known(name)) {
          ['completed', 'current', 'waiting'].forEach(function (k) { merged[k] = merged[k].concat(all[name][k] || []); });
        }
      });
      return merged;
    }

    function xmlOf(processId) {
      if (!cache[processId]) {
        cache[processId] = fetch(parsed.source + encodeURIComponent(processId), { credentials: 'same-origin' })
          .then(function (r) {
            if (!r.ok) { throw new Error('the diagram of ' + processId + ' could not be loaded'); }
            return r.text();
          });
      }
      return cache[processId];
    }

    // The call activities on the trail to a current step, as the levels to show on the way down.
    function trailLevels() {
      var trail = (state.trails || [])[0] || [];
      var out = [{ process: state.entry, name: 'Whole process' }];
      trail.forEach(function (step) {
        if (step.calls && known(step.calls)) { out.push({ process: step.calls, name: step.name }); }
      });
      return out;
    }

    function drawTrail() {
      trailNav.textContent = '';
      var list = document.createElement('ol');
      levels.forEach(function (level, index) {
        var item = document.createElement('li');
        if (index === levels.length - 1) {
          var here = document.createElement('span');
          here.setAttribute('aria-current', 'page');
          here.textContent = level.name;
          item.appendChild(here);
        } else {
          var up = document.createElement('button');
          up.type = 'button';
          up.className = 'button-link';
          up.textContent = level.name;
          up.addEventListener('click', function () { show(levels.slice(0, index + 1)); });
          item.appendChild(up);
        }
        list.appendChild(item);
      });
      var deepest = trailLevels();
      if (deepest.length > levels.length || deepest[levels.length - 1].process !== levels[levels.length - 1].process) {
        var item = document.createElement('li');
        item.className = 'trail-jump';
        var jump = document.createElement('button');
        jump.type = 'button';
        jump.className = 'button-secondary';
        jump.textContent = 'Show the current step';
        jump.addEventListener('click', function () { show(trailLevels()); });
        item.appendChild(jump);
        list.appendChild(item);
      }
      trailNav.appendChild(list);
      trailNav.hidden = false;
    }

    function show(path) {
      var level = path[path.length - 1];
      return xmlOf(level.process).then(function (xml) {
        if (current) { current.viewer.destroy(); }
        holder.textContent = '';
        holder.removeAttribute('data-ready');
        levels = path;
        current = window.ComplaintsViewer.mount({ container: holder, xml: xml, markers: markersFor(level.process) });
        return current.ready.then(function () {
          var viewer = current.viewer;
          var registry = viewer.get('elementRegistry');
          var canvas = viewer.get('canvas');
          registry.filter(function (e) {
            return e.type === 'bpmn:CallActivity' && known(e.businessObject.calledElement);
          }).forEach(function (e) { canvas.addMarker(e.id, 'opens'); });
          viewer.on('element.click', function (event) {
            var bo = event.element.businessObject;
            if (event.element.type === 'bpmn:CallActivity' && known(bo.calledElement)) {
              show(levels.concat([{ process: bo.calledElement, name: bo.name || bo.calledElement }]));
            }
          });
          holder.setAttribute('data-process', level.process);
          holder.setAttribute('data-ready', 'true');
          drawTrail();
          tools.hidden = false;
        });
      }).catch(function (err) { holder.textContent = 'The diagram could not be drawn: ' + err.message; });
    }

    tools.addEventListener('click', function (event) {
      var button = event.target.closest('button[data-zoom]');
      if (!button || !current) { return; }
      var canvas = current.viewer.get('canvas');
      var how = button.getAttribute('data-zoom');
      if (how === 'fit') { canvas.zoom('fit-viewport', 'auto'); } else { canvas.zoom(canvas.zoom() * (how === 'in' ? 1.25 : 0.8)); }
    });

    // Open where the case is now: the deepest call activity on the trail to its current step.
    show(trailLevels());
  }

  if (document.readyState === 'loading') { document.addEventListener('DOMContentLoaded', start); } else { start(); }
}());
