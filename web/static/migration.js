// The migration preview: "Select all that can move" and "Clear the selection" tick and untick in place (without
// JavaScript they are links that reload the preview ticked or unticked), and the button counts the ticked cases.
// Moving still goes through the confirmation page.
(function () {
  'use strict';

  function start() {
    var form = document.getElementById('migration-form');
    if (!form) { return; }
    var boxes = Array.prototype.slice.call(form.querySelectorAll('input[type=checkbox][name=reference]'));
    var button = document.getElementById('migrate-button');
    function count() {
      var ticked = boxes.filter(function (b) { return b.checked; }).length;
      button.textContent = ticked ? 'Review the ' + ticked + ' ticked case' + (ticked === 1 ? '' : 's') + '…'
        : 'Review the ticked cases…';
      form.setAttribute('data-ticked', String(ticked));
    }
    function wire(id, value) {
      var link = document.getElementById(id);
      if (!link) { return; }
      link.setAttribute('role', 'button');
      link.addEventListener('click', function (event) {
        event.preventDefault();
        boxes.forEach(function (b) { if (!b.disabled) { b.checked = value; } });
        count();
      });
      link.addEventListener('keydown', function (event) {
        if (event.key === ' ') { event.preventDefault(); link.click(); }
      });
    }
    wire('select-movable', true);
    wire('select-none', false);
    boxes.forEach(function (b) { b.addEventListener('change', count); });
    count();
  }

  if (document.readyState === 'loading') { document.addEventListener('DOMContentLoaded', start); } else { start(); }
}());
