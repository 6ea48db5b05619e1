// The "Runtime settings" box above the properties panel: what the engine reads from an element that the standard
// panel and its Spiff group do not edit. User tasks: stage, due-date timer, assignee field. Timers: deadline kind,
// stage and a working-day helper. Lanes: the role they stand for. Flows: the condition. Script tasks: the script.
// Every change goes through the modeler's command stack, so undo works and saving picks it up.
(function () {
  'use strict';

  var PROPS = 'spiffworkflow:properties';

  // The one timer form the helper writes: working_days_after(<field>, <whole days>). Anything else (a condition,
  // another function, an extra argument, a duration) is not read, so the helper never offers to replace it.
  var WORKING_DAYS = /^\s*working_days_after\(\s*([A-Za-z_][A-Za-z0-9_]*)\s*,\s*(\d{1,3})\s*\)\s*$/;

  function workingDays(expression) {
    var found = WORKING_DAYS.exec(expression || '');
    return found ? { field: found[1], days: Number(found[2]) } : null;
  }

  function h(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (key) {
      if (key === 'text') { node.textContent = attrs[key]; } else { node.setAttribute(key, attrs[key]); }
    });
    (children || []).forEach(function (child) { if (child) { node.appendChild(child); } });
    return node;
  }

  function values(bo) {
    var ext = bo.get('extensionElements');
    return ext ? ext.get('values') : [];
  }

  function getProperty(bo, name) {
    var container = values(bo).find(function (v) { return v.$type === PROPS; });
    var prop = container && container.get('values').find(function (p) { return p.get('name') === name; });
    return prop ? prop.get('value') || '' : '';
  }

  function Editor(modeler, holder, data) {
    this.modeler = modeler;
    this.holder = holder;
    this.data = data;
    this.modeling = modeler.get('modeling');
    this.moddle = modeler.get('moddle');
    this.factory = modeler.get('bpmnFactory');
    var self = this;
    modeler.get('eventBus').on('selection.changed', function (event) { self.render(event.newSelection[0]); });
    modeler.get('eventBus').on('elements.changed', function (event) {
      if (self.element && event.elements.indexOf(self.element) >= 0 && !holder.contains(document.activeElement)) {
        self.render(self.element);
      }
    });
  }

  Editor.prototype.setProperty = function (element, name, value) {
    var bo = element.businessObject;
    var ext = bo.get('extensionElements');
    if (!ext) {
      ext = this.factory.create('bpmn:ExtensionElements', { values: [] });
      this.modeling.updateProperties(element, { extensionElements: ext });
    }
    var container = ext.get('values').find(function (v) { return v.$type === PROPS; });
    if (!container) {
      if (!value) { return; }
      container = this.moddle.create(PROPS, { values: [] });
      container.$parent = ext;
      this.modeling.updateModdleProperties(element, ext, { values: ext.get('values').concat([ container ]) });
    }
    var prop = container.get('values').find(function (p) { return p.get('name') === name; });
    if (prop && value) {
      this.modeling.updateModdleProperties(element, prop, { value: value });
    } else if (prop) {
      this.modeling.updateModdleProperties(element, container, {
        values: container.get('values').filter(function (p) { return p !== prop; })
      });
    } else if (value) {
      prop = this.moddle.create('spiffworkflow:property', { name: name, value: value });
      prop.$parent = container;
      this.modeling.updateModdleProperties(element, container, { values: container.get('values').concat([ prop ]) });
    }
  };

  Editor.prototype.field = function (id, label, value, onChange, options) {
    var input;
    if (options && options.choices) {
      input = h('select', { id: id });
      [ [ '', options.empty || '(none)' ] ].concat(options.choices).forEach(function (choice) {
        var option = h('option', { value: choice[0], text: choice[1] });
        if (choice[0] === value) { option.selected = true; }
        input.appendChild(option);
      });
    } else if (options && options.multiline) {
      input = h('textarea', { id: id, rows: '4', spellcheck: 'false', 'class': 'mono' });
      input.value = value;
    } else {
      input = h('input', { id: id, value: value, spellcheck: 'false' });
    }
    input.addEventListener('change', function () { onChange(input.value.trim()); });
    return h('div', { 'class': 'extra-field' }, [ h('label', { 'for': id, text: label }), input ]);
  };

  Editor.prototype.render = function (element) {
    this.element = element;
    this.holder.innerHTML = '';
    if (!element || !element.businessObject) { return; }
    var bo = element.businessObject;
    var type = bo.$type;
    var fields = [];
    if (type === 'bpmn:UserTask' || type === 'bpmn:ManualTask') { fields = this.userTask(element, bo); }
    var timer = (bo.get('eventDefinitions') || []).find(function (d) { return d.$type === 'bpmn:TimerEventDefinition'; });
    if (timer) { fields = this.timer(element, bo, timer); }
    if (type === 'bpmn:Lane') { fields = this.lane(element, bo); }
    if (type === 'bpmn:SequenceFlow' && bo.sourceRef && /Gateway$/.test(bo.sourceRef.$type)) {
      fields = this.condition(element, bo);
    }
    if (type === 'bpmn:ScriptTask') { fields = this.script(element, bo); }
    if (!fields.length) { return; }
    this.holder.appendChild(h('h3', { text: 'Runtime settings: ' + (bo.name || bo.id) }));
    fields.forEach(function (f) { this.holder.appendChild(f); }, this);
  };

  Editor.prototype.userTask = function (element, bo) {
    var self = this;
    var timers = (element.attachers || []).filter(function (a) {
      return (a.businessObject.get('eventDefinitions') || []).some(function (d) { return d.$type === 'bpmn:TimerEventDefinition'; });
    }).map(function (a) { return [ a.id, a.businessObject.name || a.id ]; });
    var lane = (bo.get('lanes') || [])[0];
    return [
      h('p', { 'class': 'small', text: 'Seen in the inbox by: ' + (lane ? lane.name : 'no lane (nobody)') }),
      this.field('x-stage', 'Stage shown in the inbox', getProperty(bo, 'stage'),
        function (v) { self.setProperty(element, 'stage', v); }),
      this.field('x-due-timer', 'Due date comes from timer', getProperty(bo, 'dueTimer'),
        function (v) { self.setProperty(element, 'dueTimer', v); }, { choices: timers, empty: '(the latest timer)' }),
      this.field('x-assignee', 'Assign to the user named in field', getProperty(bo, 'assigneeVariable'),
        function (v) { self.setProperty(element, 'assigneeVariable', v); })
    ];
  };

  Editor.prototype.timer = function (element, bo, timer) {
    var self = this;
    var kinds = (this.data.deadlineKinds || []).map(function (k) { return [ k, k.replace(/_/g, ' ') ]; });
    var current = timer.get('timeDate') || timer.get('timeDuration') || timer.get('timeCycle');
    var expression = current && current.body ? current.body : '';
    var parts = workingDays(expression);
    var now = h('p', { 'class': 'small mono', id: 'x-timer-now', text: 'Now: ' + (expression || 'no expression') });
    var fields = [ now ];
    if (parts || !expression) {
      fields.push(this.workingDaysHelper(element, timer, parts, now));
    } else {
      fields.push(h('p', { 'class': 'small', id: 'x-timer-not-simple',
        text: 'This is not a plain count of working days, so the helper leaves it alone: change it in the ' +
              'Timer group of the properties panel.' }));
    }
    return fields.concat([
      this.field('x-deadline-kind', 'Deadline kind', getProperty(bo, 'deadlineKind'),
        function (v) { self.setProperty(element, 'deadlineKind', v); }, { choices: kinds }),
      this.field('x-timer-stage', 'Stage', getProperty(bo, 'stage'), function (v) { self.setProperty(element, 'stage', v); })
    ]);
  };

  // Days and field read from the expression itself; with no expression yet, empty days and a field to choose.
  Editor.prototype.workingDaysHelper = function (element, timer, parts, now) {
    var self = this;
    var days = h('input', { id: 'x-days', type: 'number', min: '0', max: '365', value: parts ? String(parts.days) : '' });
    var from = h('select', { id: 'x-from' });
    var names = (this.data.dateFields || []).slice();
    if (parts && names.indexOf(parts.field) < 0) { names.unshift(parts.field); }
    if (!parts) { from.appendChild(h('option', { value: '', text: '(choose a date)' })); }
    names.forEach(function (name) {
      var option = h('option', { value: name, text: name });
      if (parts && name === parts.field) { option.selected = true; }
      from.appendChild(option);
    });
    var use = h('button', { type: 'button', id: 'x-use-working-days', text: 'Use' });
    use.addEventListener('click', function () {
      var count = parseInt(days.value, 10);
      if (isNaN(count) || count < 0 || !from.value) {
        now.textContent = 'Give a number of working days and the date they count from.';
        return;
      }
      var expression = 'working_days_after(' + from.value + ', ' + count + ')';
      var body = self.factory.create('bpmn:FormalExpression', { body: expression });
      self.modeling.updateModdleProperties(element, timer, { timeDate: body, timeDuration: undefined, timeCycle: undefined });
      now.textContent = 'Now: ' + expression;
    });
    return h('div', { 'class': 'helper', id: 'x-working-days' }, [
      h('div', {}, [ h('label', { 'for': 'x-days', text: 'Working days' }), days ]),
      h('div', {}, [ h('label', { 'for': 'x-from', text: 'after' }), from ]), use ]);
  };

  Editor.prototype.lane = function (element, bo) {
    var self = this;
    var roles = (this.data.roles || []).map(function (r) { return [ r, r ]; });
    var known = (this.data.roles || []).indexOf(bo.name) >= 0;
    return [
      h('p', { 'class': 'small', text: known ? 'Tasks in this lane go to this role.' : 'This lane is not a known role yet.' }),
      this.field('x-lane-role', 'Role', known ? bo.name : '', function (v) {
        if (v) { self.modeling.updateProperties(element, { name: v }); }
      }, { choices: roles, empty: '(choose a role)' })
    ];
  };

  Editor.prototype.condition = function (element, bo) {
    var self = this;
    var current = bo.get('conditionExpression');
    return [ this.field('x-condition', 'Condition (Python, on the case data)', current ? current.body || '' : '',
      function (v) {
        self.modeling.updateProperties(element, {
          conditionExpression: v ? self.factory.create('bpmn:FormalExpression', { body: v }) : undefined
        });
      }, { multiline: true }) ];
  };

  Editor.prototype.script = function (element, bo) {
    var self = this;
    return [ this.field('x-script', 'Script (Python)', bo.get('script') || '', function (v) {
      self.modeling.updateProperties(element, { scriptFormat: 'python', script: v });
    }, { multiline: true }) ];
  };

  window.ModelerExtras = {
    attach: function (modeler, holder, data) { return holder ? new Editor(modeler, holder, data || {}) : null; }
  };
}());
