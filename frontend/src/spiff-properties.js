// Properties-panel provider adding a "Spiff" group for the spiffworkflow:
// extension elements read by SpiffWorkflow's parser.
import { h } from '@bpmn-io/properties-panel/preact';
import {
  Group, ListGroup, TextAreaEntry, TextFieldEntry, isTextAreaEntryEdited, isTextFieldEntryEdited
} from '@bpmn-io/properties-panel';
import { useService } from 'bpmn-js-properties-panel';
import { getBusinessObject, is } from 'bpmn-js/lib/util/ModelUtil';

const FORM_PROPERTIES = [
  ['formJsonSchemaFilename', 'Form JSON schema file'],
  ['formUiSchemaFilename', 'Form UI schema file']
];

// ---- model helpers -------------------------------------------------------

function extensionsOf(bo) {
  return bo.get('extensionElements')?.get('values') || [];
}

function findExtension(bo, type) {
  return extensionsOf(bo).find((value) => is(value, type));
}

function update(element, moddleElement, properties) {
  return { cmd: 'element.updateModdleProperties', context: { element, moddleElement, properties } };
}

// Run several updates as one undoable command.
function run(injector, commands) {
  if (commands.length) {
    injector.get('commandStack').execute('properties-panel.multi-command-executor', commands);
  }
}

// Return the extension of `type` on `bo`, queueing commands that create it
// (and <bpmn:extensionElements>) when missing.
function ensureExtension(injector, element, bo, type, commands) {
  let container = bo.get('extensionElements');
  if (!container) {
    container = injector.get('bpmnFactory').create('bpmn:ExtensionElements', { values: [] });
    container.$parent = bo;
    commands.push(update(element, bo, { extensionElements: container }));
  }
  let ext = container.get('values').find((value) => is(value, type));
  if (!ext) {
    ext = injector.get('moddle').create(type);
    ext.$parent = container;
    commands.push(update(element, container, { values: [ ...container.get('values'), ext ] }));
  }
  return ext;
}

function removeExtension(element, bo, type, commands) {
  const container = bo.get('extensionElements');
  const ext = findExtension(bo, type);
  if (ext) {
    commands.push(update(element, container, { values: container.get('values').filter((v) => v !== ext) }));
  }
}

// get/set for an extension whose body text is the value (preScript, ...).
function bodyText(injector, element, bo, type) {
  return {
    get: () => findExtension(bo, type)?.get('value') || '',
    set: (value) => {
      const commands = [];
      if (value) {
        const ext = ensureExtension(injector, element, bo, type, commands);
        commands.push(update(element, ext, { value }));
      } else {
        removeExtension(element, bo, type, commands);
      }
      run(injector, commands);
    }
  };
}

// get/set for <spiffworkflow:property name=... value=...> inside <spiffworkflow:properties>.
function namedProperty(injector, element, bo, name) {
  const TYPE = 'spiffworkflow:properties';
  const find = () => findExtension(bo, TYPE)?.get('values').find((p) => p.get('name') === name);
  return {
    get: () => find()?.get('value') || '',
    set: (value) => {
      const commands = [];
      const existing = find();
      if (existing && value) {
        commands.push(update(element, existing, { value }));
      } else if (existing) {
        const container = findExtension(bo, TYPE);
        commands.push(update(element, container, { values: container.get('values').filter((p) => p !== existing) }));
      } else if (value) {
        const container = ensureExtension(injector, element, bo, TYPE, commands);
        const prop = injector.get('moddle').create('spiffworkflow:property', { name, value });
        prop.$parent = container;
        commands.push(update(element, container, { values: [ ...container.get('values'), prop ] }));
      }
      run(injector, commands);
    }
  };
}

// get/set for an attribute of the service task operator.
function operatorAttr(injector, element, bo, attr) {
  const TYPE = 'spiffworkflow:serviceTaskOperator';
  return {
    get: () => findExtension(bo, TYPE)?.get(attr) || '',
    set: (value) => {
      const commands = [];
      const op = ensureExtension(injector, element, bo, TYPE, commands);
      commands.push(update(element, op, { [attr]: value || undefined }));
      run(injector, commands);
    }
  };
}

// ---- entry component -----------------------------------------------------

function TextEntry(props) {
  const { element, id, label, get, set, multiline } = props;
  const debounce = useService('debounceInput');
  const translate = useService('translate');
  return h(multiline ? TextAreaEntry : TextFieldEntry, {
    element, id, debounce, label: translate(label),
    getValue: get, setValue: set, monospace: multiline, rows: 4, autoResize: multiline
  });
}

function entry(id, label, accessors, multiline = false) {
  const isEdited = multiline ? isTextAreaEntryEdited : isTextFieldEntryEdited;
  return { id, label, component: TextEntry, isEdited, multiline, ...accessors };
}

// ---- groups --------------------------------------------------------------

// Element carrying the message extensions: the event definition for events.
function messageTarget(element) {
  const bo = getBusinessObject(element);
  if (is(bo, 'bpmn:ReceiveTask') || is(bo, 'bpmn:SendTask')) {
    return bo;
  }
  return (bo.get('eventDefinitions') || []).find((d) => is(d, 'bpmn:MessageEventDefinition'));
}

function spiffEntries(element, injector) {
  const bo = getBusinessObject(element);
  const entries = [];

  if (is(bo, 'bpmn:ServiceTask')) {
    entries.push(
      entry('spiff-operator', 'Service operator', operatorAttr(injector, element, bo, 'id')),
      entry('spiff-result-variable', 'Result variable', operatorAttr(injector, element, bo, 'resultVariable'))
    );
  }
  if (is(bo, 'bpmn:UserTask')) {
    for (const [name, label] of FORM_PROPERTIES) {
      entries.push(entry('spiff-' + name, label, namedProperty(injector, element, bo, name)));
    }
  }
  if (is(bo, 'bpmn:BusinessRuleTask')) {
    entries.push(entry('spiff-decision', 'Called decision id',
      bodyText(injector, element, bo, 'spiffworkflow:calledDecisionId')));
  }
  const message = messageTarget(element);
  if (message) {
    const isThrow = is(bo, 'bpmn:SendTask') || is(bo, 'bpmn:ThrowEvent');
    entries.push(isThrow
      ? entry('spiff-message-payload', 'Message payload (expression)',
        bodyText(injector, element, message, 'spiffworkflow:messagePayload'), true)
      : entry('spiff-message-variable', 'Message variable',
        bodyText(injector, element, message, 'spiffworkflow:messageVariable')));
  }
  if (is(bo, 'bpmn:Activity')) {
    entries.push(
      entry('spiff-pre-script', 'Pre-script (Python)', bodyText(injector, element, bo, 'spiffworkflow:preScript'), true),
      entry('spiff-post-script', 'Post-script (Python)', bodyText(injector, element, bo, 'spiffworkflow:postScript'), true)
    );
  }
  return entries;
}

// List group editing <spiffworkflow:parameter id type value> rows of a service task.
function parametersGroup(element, injector) {
  const bo = getBusinessObject(element);
  const operator = findExtension(bo, 'spiffworkflow:serviceTaskOperator');
  const list = operator?.get('parameterList');
  const params = list?.get('values') || [];
  const attr = (param, name) => ({
    get: () => param.get(name) || '',
    set: (value) => run(injector, [ update(element, param, { [name]: value }) ])
  });

  const items = params.map((param, index) => {
    const id = `${element.id}-spiff-param-${index}`;
    return {
      id,
      label: param.get('id') || '<unnamed>',
      entries: [
        entry(id + '-id', 'Name', attr(param, 'id')),
        entry(id + '-type', 'Type', attr(param, 'type')),
        entry(id + '-value', 'Value (expression)', attr(param, 'value'))
      ],
      remove: () => run(injector, [
        update(element, list, { values: list.get('values').filter((p) => p !== param) })
      ])
    };
  });

  const add = (event) => {
    event.stopPropagation();
    const commands = [];
    const op = ensureExtension(injector, element, bo, 'spiffworkflow:serviceTaskOperator', commands);
    const moddle = injector.get('moddle');
    let paramList = op.get('parameterList');
    if (!paramList) {
      paramList = moddle.create('spiffworkflow:parameters', { values: [] });
      paramList.$parent = op;
      commands.push(update(element, op, { parameterList: paramList }));
    }
    const param = moddle.create('spiffworkflow:parameter', {
      id: 'param' + (paramList.get('values').length + 1), type: 'str', value: ''
    });
    param.$parent = paramList;
    commands.push(update(element, paramList, { values: [ ...paramList.get('values'), param ] }));
    run(injector, commands);
  };

  return { id: 'spiff-parameters', label: 'Spiff: service parameters', component: ListGroup, items, add };
}

export default function SpiffPropertiesProvider(propertiesPanel, injector) {
  this._injector = injector;
  propertiesPanel.registerProvider(500, this);
}

SpiffPropertiesProvider.$inject = [ 'propertiesPanel', 'injector' ];

SpiffPropertiesProvider.prototype.getGroups = function(element) {
  const injector = this._injector;
  return (groups) => {
    const entries = spiffEntries(element, injector);
    if (!entries.length) {
      return groups;
    }
    const extra = [ { id: 'spiff', label: 'Spiff', component: Group, entries } ];
    if (is(element, 'bpmn:ServiceTask')) {
      extra.push(parametersGroup(element, injector));
    }
    const after = groups.findIndex((g) => g.id === 'general') + 1;
    groups.splice(after, 0, ...extra);
    return groups;
  };
};
