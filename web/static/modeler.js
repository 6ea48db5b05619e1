// The modeler page: bpmn-js (with the properties panel) or dmn-js over the file's source, a live form preview
// for JSON Schema forms, validation problems highlighted on the diagram, and saving through the plain form.
// Data comes from the JSON block written by the server (CSP forbids inline scripts).
(function () {
  'use strict';

  function $(id) { return document.getElementById(id); }

  function csrfToken(form) {
    var input = form.querySelector('input[name="csrf_token"]');
    return input ? input.value : '';
  }

  // Put the editor's text into the hidden file input so large diagrams travel as a file part, then submit.
  function submitWithContent(form, source, text, fileName) {
    var fileInput = $('content-file');
    try {
      var transfer = new DataTransfer();
      transfer.items.add(new File([ text ], fileName.split('/').pop(), { type: 'text/plain' }));
      fileInput.files = transfer.files;
      source.removeAttribute('name');
    } catch (err) {
      source.value = text; // older browsers: send it as a form field instead
    }
    form.submit();
  }

  function wireSave(form, source, data, getText) {
    var button = $('save-button');
    form.addEventListener('submit', function (event) {
      event.preventDefault();
      button.disabled = true;
      button.textContent = 'Saving…';
      getText().then(function (text) {
        submitWithContent(form, source, text, data.file);
      }).catch(function (err) {
        button.disabled = false;
        button.textContent = 'Save draft';
        window.alert('The diagram could not be written out: ' + err.message);
      });
    });
  }

  // SpiffWorkflow reads a multi-instance loop's input and output as variable names, which bpmn-js cannot resolve
  // as references and so drops on export. Keep them from the import warnings and write them back on save.
  var LOOP_REFERENCES = [ 'bpmn:loopDataInputRef', 'bpmn:loopDataOutputRef' ];

  function keptReferences(result) {
    return ((result && result.warnings) || []).filter(function (w) {
      return LOOP_REFERENCES.indexOf(w.property) >= 0 && w.element && w.element.$parent && w.element.$parent.id;
    }).map(function (w) { return { owner: w.element.$parent.id, property: w.property.split(':')[1], value: w.value }; });
  }

  function restoreReferences(xml, kept) {
    if (!kept.length) { return xml; }
    var doc = new DOMParser().parseFromString(xml, 'application/xml');
    kept.forEach(function (ref) {
      var owner = doc.querySelector('[id="' + ref.owner.replace(/"/g, '') + '"]');
      var loop = owner && Array.prototype.find.call(owner.children, function (c) {
        return c.localName === 'multiInstanceLoopCharacteristics';
      });
      if (!loop || Array.prototype.some.call(loop.children, function (c) { return c.localName === ref.property; })) {
        return;
      }
      var added = doc.createElementNS(loop.namespaceURI, (loop.prefix ? loop.prefix + ':' : '') + ref.property);
      added.textContent = ref.value;
      var after = Array.prototype.filter.call(loop.children, function (c) {
        return c.localName === 'loopCardinality' || (ref.property === 'loopDataOutputRef' && c.localName === 'loopDataInputRef');
      }).pop();
      loop.insertBefore(added, after ? after.nextSibling : loop.firstChild);
    });
    var out = new XMLSerializer().serializeToString(doc);
    var declaration = xml.indexOf('<?xml') === 0 && out.indexOf('<?xml') !== 0 ? xml.slice(0, xml.indexOf('?>') + 2) + '\n' : '';
    return declaration + out;
  }

  function problemElements(data) {
    return (data.problems || []).map(function (p) { return p.element; }).filter(Boolean);
  }

  // The handle between the canvas and the properties panel: drag it, or focus it and use the arrow keys
  // (Home / End for the narrowest and widest). The width is kept for the next page in this browser.
  var SIDE_KEY = 'complaints.modeler.sideWidth';

  function wireResize(layout, handle, onResize) {
    var min = Number(handle.getAttribute('aria-valuemin'));
    function max() { return Math.max(min, Math.min(Number(handle.getAttribute('aria-valuemax')), layout.clientWidth - 360)); }
    var preferred = null; // the width last chosen; a window too narrow for it only squeezes it for a while
    function setWidth(width, keep) {
      var clamped = Math.round(Math.max(min, Math.min(max(), width)));
      if (keep || preferred === null) { preferred = clamped; }
      layout.style.setProperty('--side-width', clamped + 'px');
      handle.setAttribute('aria-valuenow', String(clamped));
      handle.setAttribute('aria-valuetext', clamped + ' pixels wide');
      if (keep) { try { window.localStorage.setItem(SIDE_KEY, String(clamped)); } catch (err) { /* private mode */ } }
      onResize();
      return clamped;
    }
    var kept = null;
    try { kept = Number(window.localStorage.getItem(SIDE_KEY)); } catch (err) { kept = null; }
    preferred = kept || Number(handle.getAttribute('aria-valuenow'));
    setWidth(preferred, false);
    // Follow the pointer on the whole document, so a drag that outruns the handle (or loses its capture) still ends.
    handle.addEventListener('pointerdown', function (event) {
      if (event.button !== 0) { return; }
      event.preventDefault();
      handle.classList.add('dragging');
      var right = layout.getBoundingClientRect().right;
      function move(e) { setWidth(right - e.clientX - handle.offsetWidth / 2, false); }
      function up(e) {
        if (e.type === 'pointerup') { move(e); }
        handle.classList.remove('dragging');
        document.removeEventListener('pointermove', move);
        document.removeEventListener('pointerup', up);
        document.removeEventListener('pointercancel', up);
        setWidth(Number(handle.getAttribute('aria-valuenow')), true);
      }
      document.addEventListener('pointermove', move);
      document.addEventListener('pointerup', up);
      document.addEventListener('pointercancel', up);
    });
    handle.addEventListener('keydown', function (event) {
      var now = Number(handle.getAttribute('aria-valuenow'));
      var step = event.shiftKey ? 120 : 40;
      var to = { ArrowLeft: now + step, ArrowRight: now - step, Home: min, End: max() }[event.key];
      if (to === undefined) { return; }
      event.preventDefault();
      setWidth(to, true);
    });
    window.addEventListener('resize', function () { setWidth(preferred, false); });
  }

  function startBpmn(data, form, source) {
    if (!window.ComplaintsModeler) { return; }
    var layout = $('modeler-layout');
    layout.hidden = false;
    $('source-field').hidden = true;
    var mounted = window.ComplaintsModeler.mount({
      container: $('modeler-canvas'), propertiesPanel: $('modeler-properties'), xml: source.value,
      onChange: function () { form.setAttribute('data-dirty', 'true'); }
    });
    var kept = [];
    if ($('modeler-resize')) {
      wireResize(layout, $('modeler-resize'), function () { if (mounted.resized) { mounted.resized(); } });
    }
    mounted.ready.then(function (result) {
      kept = keptReferences(result);
      return mounted.highlight(problemElements(data));
    }).then(function (marked) {
      if (marked.length) { selectElement(marked[0]); }
      $('modeler-canvas').setAttribute('data-zoom', String(mounted.modeler.get('canvas').zoom()));
      $('modeler-canvas').setAttribute('data-ready', 'true');
      $('modeler-canvas').setAttribute('data-highlighted', marked.join(' '));
      if (window.ModelerExtras) { window.ModelerExtras.attach(mounted.modeler, $('element-extras'), data); }
    }).catch(function (err) {
      layout.hidden = true;
      $('source-field').hidden = false;
      $('modeler-canvas').setAttribute('data-error', err.message);
    });
    function selectElement(id) {
      return mounted.ready.then(function () {
        var shape = mounted.modeler.get('elementRegistry').get(id);
        if (!shape) { return false; }
        var canvas = mounted.modeler.get('canvas');
        if (canvas.zoom() < 0.8) { canvas.zoom(1); }
        canvas.scrollToElement(shape, { top: 120, bottom: 120, left: 200, right: 200 });
        mounted.modeler.get('selection').select(shape);
        return true;
      });
    }
    document.querySelectorAll('.problem-element').forEach(function (button) {
      button.addEventListener('click', function () { selectElement(button.getAttribute('data-element')); });
    });
    var finder = $('element-finder');
    if (finder) {
      finder.hidden = false;
      $('element-picker').addEventListener('change', function (event) {
        if (event.target.value) { selectElement(event.target.value); }
      });
    }
    wireSave(form, source, data, function () {
      return mounted.saveXML().then(function (xml) { return restoreReferences(xml, kept); });
    });
    window.addEventListener('beforeunload', function (event) {
      if (form.getAttribute('data-dirty') === 'true' && !form.getAttribute('data-submitting')) {
        event.preventDefault();
      }
    });
    form.addEventListener('submit', function () { form.setAttribute('data-submitting', 'true'); });
  }

  function startDmn(data, form, source) {
    if (!window.ComplaintsDmn) { return; }
    var holder = $('dmn-canvas');
    holder.hidden = false;
    $('source-field').hidden = true;
    var mounted = window.ComplaintsDmn.mount({ container: holder, xml: source.value });
    mounted.ready.then(function () { holder.setAttribute('data-ready', 'true'); }).catch(function (err) {
      holder.hidden = true;
      $('source-field').hidden = false;
      holder.setAttribute('data-error', err.message);
    });
    wireSave(form, source, data, mounted.saveXML);
  }

  // Re-render the preview with the server's own form renderer shortly after typing stops.
  function startFormPreview(data, form, source) {
    var preview = $('form-preview');
    if (!preview) { return; }
    var timer = null;
    var sent = 0;
    source.addEventListener('input', function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(function () {
        var mine = ++sent;
        fetch(data.previewUrl, {
          method: 'POST', credentials: 'same-origin',
          headers: { 'Content-Type': 'application/json', 'X-CSRFToken': csrfToken(form) },
          body: JSON.stringify({ schema: source.value })
        }).then(function (response) { return response.text(); }).then(function (html) {
          if (mine === sent) {
            preview.innerHTML = html; // server-rendered, every value escaped by the renderer
            preview.setAttribute('data-updated', String(mine));
          }
        });
      }, 400);
    });
  }

  function start() {
    var block = $('modeler-data');
    var form = $('save-form');
    var source = $('file-content');
    if (!block || !form || !source) { return; }
    var data = JSON.parse(block.textContent);
    if (data.kind === 'bpmn') { startBpmn(data, form, source); }
    if (data.kind === 'dmn') { startDmn(data, form, source); }
    if (data.kind === 'json') { startFormPreview(data, form, source); }
    if ((data.problems || []).length) {
      var report = $('validation-report');
      if (report && window.location.hash !== '#editor-title') { report.focus({ preventScroll: true }); }
    }
  }

  if (document.readyState === 'loading') { document.addEventListener('DOMContentLoaded', start); } else { start(); }
}());
