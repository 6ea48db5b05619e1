"""Sandbox escape payloads and resource bombs, the diagram places they are tried in, and the set-up they need.

The generator payloads walk from a running generator's frame back to the frame that called the sandbox,
whose builtins are the real ones: the escape the issue reproduced. Each escape payload, were it to run, would
write the marker file named by `{marker}` (or read something it must not), so a test can prove that nothing happened.
Expression payloads go in every place; statement payloads (decorators, class statements, try/except frame walks) only
fit where a script goes.
"""
from __future__ import annotations

from pathlib import Path
from xml.sax.saxutils import escape

from processes.bundle import bundle_from_directory, bundle_from_files

WEBTEST = Path(__file__).resolve().parents[1] / "web" / "bundles" / "webtest"
PROCESS = "web_test"
DIAGRAM = "webtest.bpmn"

ESCAPES = {
    "generator frame walk to __import__":
        "[y for c in [[]] for u in [c.append(c[0].gi_frame.f_back.f_back.f_back.f_builtins['__import__']('os')"
        ".system('touch {marker}') for z in [1])] for y in c[0]]",
    "generator code object": "(x for x in [1]).gi_code.co_consts",
    "fullwidth gi_frame (NFKC-normalised identifier)":
        "[y for c in [[]] for u in [c.append(c[0].\uff47\uff49_frame.f_back.f_back.f_back.f_builtins['open']"
        "('{marker}', 'w') for z in [1])] for y in c[0]]",
    "fullwidth underscores around __class__":
        "()._\uff3fclass\uff3f\uff3f._\uff3fbase\uff3f\uff3f._\uff3fsubclasses\uff3f\uff3f()",
    "str.format attribute traversal": "'{0.__class__.__mro__[1].__subclasses__}'.format(1)",
    "str.format reaching globals through a function": "'{0.__func__.__globals__}'.format(now)",
    "str.format_map traversal": "'{x.__class__.__base__.__subclasses__}'.format_map({'x': 1})",
    "str.format called on the class": "str.format('{0.__class__.__base__}', 1)",
    "getattr chain to a function's globals":
        "getattr(getattr(now, '__func__'), '__globals__')['__builtins__']['open']('{marker}', 'w')",
    "type().mro() to object's subclasses": "type(1).mro()[-1].__subclasses__()",
    "dunder walk to object's subclasses": "().__class__.__base__.__subclasses__()",
    "__builtins__ through globals()": "globals()['__builtins__']['__import__']('os').system('touch {marker}')",
    "__builtins__ by name": "__builtins__['open']('{marker}', 'w')",
    "vars() of a diagram function": "vars(now)",
    "dir() listing": "dir(1)",
    "object.__reduce_ex__": "(1).__reduce_ex__(2)",
    "lambda __globals__": "(lambda: 0).__globals__['__builtins__']['open']('{marker}', 'w')",
    "lambda __code__": "(lambda: 0).__code__.co_code",
    "class creation with type()": "type('Escape', (object,), {'go': lambda self: open('{marker}', 'w')})().go()",
    "% formatting of a diagram function": "'%s %r' % (now, now)",
    "f-string conversion of a diagram function": "f'{now!r}'",
    "f-string reaching globals": "f'{(lambda: 0).__globals__}'",
    "attrgetter-style map(getattr, ...)": "list(map(getattr, [now], ['__self__']))",
    "bound method __self__ to the environment": "now.__self__.clock",
    "open a file": "open('{marker}', 'w').write('escaped')",
    "__import__ directly": "__import__('os').system('touch {marker}')",
    "eval of a string": "eval(\"__import__('os').system('touch {marker}')\")",
    "exec of a string": "exec(\"open('{marker}', 'w')\")",
    "compile a code object": "compile('1', 'x', 'eval')",
    "walrus to keep a generator": "(g := (x for x in [1])) and g.gi_frame",
}

# Payloads that do escape plain Python: proof that the list tests real attacks, not typos.
WORKING_IN_PLAIN_PYTHON = ("generator frame walk to __import__", "fullwidth gi_frame (NFKC-normalised identifier)",
                           "getattr chain to a function's globals", "__builtins__ through globals()",
                           "lambda __globals__", "class creation with type()", "open a file", "__import__ directly",
                           "eval of a string", "exec of a string")

STATEMENT_ESCAPES = {
    "decorator running a diagram function": "@now\ndef escape():\n    pass",
    "class statement with a metaclass walk": "class Escape:\n    pass\nprobe = Escape.__mro__",
    "traceback frame walk in try/except":
        "try:\n    1 / 0\nexcept Exception as error:\n    probe = error.__traceback__.tb_frame.f_globals",
    "import statement": "import os\nos.system('touch {marker}')",
    "global statement": "global probe\nprobe = 1",
}

BOMBS = {
    "9**9**9": "9**9**9",
    "10**10**10": "10**10**10",
    "'x'*10**10": "'x'*10**10",
    "range(10**12) summed": "sum(range(10**12))",
    "range(10**12) materialised": "len(list(range(10**12)))",
    "range beyond an index": "len(range(10**100))",
    "a million-digit integer from text": "int('f' * 10**6, 16) // 3",
    "1 << 10**10": "1 << 10**10",
    "nested comprehensions": "len([[x for x in range(10**4)] for y in range(10**4)])",
    "'a'.ljust(10**10)": "'a'.ljust(10**10)",
    "replace growing 10**5 by 10**5": "('x'*10**5).replace('x', 'x'*10**5)",
    "join of a repeated list": "'-'.join(['x'*10**5]*100)",
    "f-string width": "f'{1:>{10**9}}'",
    "% formatting width": "'%*d' % (10**9, 1)",
    "str() of a huge shared structure": "len(str([[1]*1000]*1000))",
    "sorting a list of shared big lists": "sorted([[0]*1000]*1000)[0]",
    "round to a billion digits": "round(5, -10**9)",
    "working days a billion ahead": "working_days_after(now(), 10**9)",
}

STATEMENT_BOMBS = {
    "while True": "while True:\n    pass",
    "doubling list": "probe = [1]\nfor i in range(64):\n    probe = probe + probe",
    "doubling list by slice assignment": "probe = [1]\nfor i in range(64):\n    probe[:0] = probe",
    "comparing shared structures": ("a = []\nb = []\nfor i in range(60):\n    a = [a, a]\n    b = [b, b]\n"
                                    "probe = a == b"),
}

# slot: (element a validation problem names, its words), then the same for a case incident at run time
SLOTS = {
    "timer": ("record_due", "the timer expression of 'Acknowledgement due'",
              "record_due", "the timer expression of 'Acknowledgement due'"),
    "condition": ("f_probe", "the condition of 'Probe'", "probe_gateway", "the condition of a flow leaving 'Probe?'"),
    "script": ("probe_script", "the script of 'Probe the data'", "probe_script", "the script of 'Probe the data'"),
    "form default": ("record", "the pre script of 'Record the details'",
                     "record", "the script of 'Record the details'"),
}


def webtest_files() -> dict[str, str]:
    return {name: content.decode() for name, content in bundle_from_directory(WEBTEST).files.items()}


def webtest_with(slot: str, source: str) -> str:
    """The web test diagram with `source` as its timer, a condition, a script task or a form's pre-script."""
    text = webtest_files()[DIAGRAM]
    code = escape(source)
    if slot == "timer":
        return text.replace("working_days_after(received_at, 3)", code)
    if slot == "condition":
        text = text.replace('<bpmn:sequenceFlow id="f2" sourceRef="record" targetRef="allocate" />',
                            '<bpmn:sequenceFlow id="f2" sourceRef="record" targetRef="probe_gateway" />'
                            '<bpmn:exclusiveGateway id="probe_gateway" name="Probe?" default="f_probe_default">'
                            '<bpmn:incoming>f2</bpmn:incoming><bpmn:outgoing>f_probe</bpmn:outgoing>'
                            '<bpmn:outgoing>f_probe_default</bpmn:outgoing></bpmn:exclusiveGateway>'
                            '<bpmn:sequenceFlow id="f_probe" name="Probe" sourceRef="probe_gateway" '
                            'targetRef="allocate">'
                            f'<bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">{code}'
                            '</bpmn:conditionExpression></bpmn:sequenceFlow>'
                            '<bpmn:sequenceFlow id="f_probe_default" sourceRef="probe_gateway" targetRef="allocate" />')
        return text.replace("<bpmn:incoming>f2</bpmn:incoming><bpmn:outgoing>f3</bpmn:outgoing>",
                            "<bpmn:incoming>f_probe</bpmn:incoming><bpmn:incoming>f_probe_default</bpmn:incoming>"
                            "<bpmn:outgoing>f3</bpmn:outgoing>")
    if slot == "script":
        text = text.replace('<bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="record" />',
                            '<bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="probe_script" />'
                            '<bpmn:scriptTask id="probe_script" name="Probe the data"><bpmn:incoming>f1</bpmn:incoming>'
                            f'<bpmn:outgoing>f1_probe</bpmn:outgoing><bpmn:script>{code}</bpmn:script></bpmn:scriptTask>'
                            '<bpmn:sequenceFlow id="f1_probe" sourceRef="probe_script" targetRef="record" />')
        text = text.replace("<bpmn:flowNodeRef>start</bpmn:flowNodeRef>",
                            "<bpmn:flowNodeRef>start</bpmn:flowNodeRef><bpmn:flowNodeRef>probe_script</bpmn:flowNodeRef>")
        return text.replace("<bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing>",
                            "<bpmn:incoming>f1_probe</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing>")
    if slot == "form default":
        return text.replace('<bpmn:userTask id="record" name="Record the details">\n      <bpmn:extensionElements>',
                            '<bpmn:userTask id="record" name="Record the details">\n      <bpmn:extensionElements>'
                            f'<spiffworkflow:preScript>{code}</spiffworkflow:preScript>')
    raise ValueError(slot)


def as_code(slot: str, payload: str) -> str:
    """A payload as the place needs it: scripts assign it, expressions are it."""
    if slot in ("script", "form default") and "\n" not in payload:
        return f"probe = {payload}"
    return payload


def filled(template: str, marker: Path) -> str:
    return template.replace("{marker}", str(marker))


def publish_unchecked(container, diagram: str) -> int:
    """Publish a web test diagram without validation, as a version published before the sandbox existed."""
    files = {**webtest_files(), DIAGRAM: diagram}
    bundle = bundle_from_files({name: text.encode() for name, text in files.items()})
    with container.uow() as uow:
        now = container.clock.now()
        previous = uow.versions.published(PROCESS)
        if previous is not None:
            previous.state, previous.retired_at = "retired", now
        version = uow.versions.add(process_key=PROCESS, number=uow.versions.next_number(PROCESS), state="published",
                                   title="Web test", sha256=bundle.sha256, files=files,
                                   change_note="published before diagram code ran in a sandbox", created_at=now,
                                   updated_at=now, submitted_at=now, reviewed_at=now, published_at=now)
        uow.commit()
        return version.id


RECORD_DATA = {"summary": "Missed appointments", "happened_on": "2026-12-01", "category": "service", "eligible": True}
