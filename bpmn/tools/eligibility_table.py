"""The eligibility decision table (group policy 2.3 to 2.5), written as DMN 1.3 with its DRD shape."""
import json
import xml.etree.ElementTree as ET

DMN = "https://www.omg.org/spec/DMN/20191111/MODEL/"
DMNDI = "https://www.omg.org/spec/DMN/20191111/DMNDI/"
DC = "http://www.omg.org/spec/DMN/20180521/DC/"
ET.register_namespace("", DMN)
ET.register_namespace("dmndi", DMNDI)
ET.register_namespace("dc", DC)

INPUTS = [  # id, label, expression, type
    ("exclusion", "Exclusion that applies (2.4.1)", "exclusion", "string"),
    ("about_service", "About colleagues' delivery of services? (2.3.1)", "about_service_delivery", "boolean"),
    ("in_time", "Within the one-year limit? (2.3.2)", "time_limit['in_time']", "boolean"),
    ("provider", "Whose services? (2.5)", "provider", "string"),
    ("deceased", "About someone who has died? (2.3.5)", "subject_deceased", "boolean"),
    ("on_behalf", "Made on someone's behalf? (2.3.3)", "on_behalf_of_someone", "boolean"),
    ("service_user", "Complainant is a service user? (2.3.4)", "complainant_is_service_user", "boolean"),
    ("needs_info", "Needs a service user's information? (2.3.4)", "needs_service_user_information", "boolean"),
]
OUTPUTS = [("eligibility", "Eligibility"), ("eligibility_reason", "Reason"), ("signpost", "Signpost to")]

EXCLUSIONS = [
    ("seetec_ireland_or_corporate", "the complaints procedure of Seetec Employability & Skills Ireland or of "
     "Corporate Services, which this policy does not cover"),
    ("criminal_investigation", "the police or other body carrying out the criminal investigation"),
    ("court_or_tribunal_decision", "the court, statutory tribunal, Parole Board, Crown Prosecution Service or "
     "Criminal Cases Review Commission concerned"),
    ("independent_tribunal_appeal", "the independent tribunal that hears appeals on this matter, for example the "
     "Parole Board"),
    ("colleague_hr", "the Seetec Group HR policies, such as the grievance procedure"),
    ("legal_action", "the legal proceedings already under way"),
    ("commissioner_policy", "the commissioner responsible for the policy or programme"),
    ("anonymous", "our complaints procedure again, with your name and contact details so that we can investigate "
     "and reply"),
]


def rules() -> list[tuple[str, dict, tuple[str, str, str]]]:
    """(description, input entries by input id, outputs) in the order the first match is taken."""
    table = [(f"Policy 2.4.1: {code.replace('_', ' ')}", {"exclusion": f'"{code}"'}, ("ineligible", code, text))
             for code, text in EXCLUSIONS]
    table += [
        ("Policy 2.3.1: not about the delivery of our services", {"about_service": "False"},
         ("ineligible", "not_about_service_delivery", "the organisation responsible for the matter, as it does not "
          "concern the delivery of our services")),
        ("Policy 2.3.2: more than a year after the matter or after it could have been known", {"in_time": "False"},
         ("ineligible", "out_of_time", "the commissioner of the contract; complaints must be made within one year "
          "of the matter or of when you could reasonably have known of it")),
        ("Policy 2.5.1: another provider's responsibility", {"provider": '"other_provider"'},
         ("other_provider", "other_provider", "the provider responsible, whom we will help you contact")),
        ("Policy 2.5.3: a Delivery Partner's own procedure first", {"provider": '"delivery_partner"'},
         ("delivery_partner", "delivery_partner", "the Delivery Partner's complaints procedure; Seetec is copied in "
          "and handles any appeal at stage 3")),
        ("Policy 2.3.5: someone who has died, decided case by case", {"deceased": "True"},
         ("case_by_case", "deceased", "")),
        ("Policy 2.3.3: written permission of the person it is made for", {"on_behalf": "True"},
         ("needs_permission", "on_behalf", "")),
        ("Policy 2.3.4: a service user's consent to use their information",
         {"service_user": "False", "needs_info": "True"}, ("needs_consent", "service_user_information", "")),
        ("Eligible", {}, ("eligible", "eligible", "")),
    ]
    return table


def to_xml() -> bytes:
    root = ET.Element(f"{{{DMN}}}definitions", id="eligibility_definitions", name="Complaint eligibility",
                      namespace="http://seetec.co.uk/complaints/eligibility")
    decision = ET.SubElement(root, f"{{{DMN}}}decision", id="eligibility", name="Complaint eligibility")
    table = ET.SubElement(decision, f"{{{DMN}}}decisionTable", id="eligibility_table", hitPolicy="FIRST")
    for id, label, expression, kind in INPUTS:
        element = ET.SubElement(table, f"{{{DMN}}}input", id=f"input_{id}", label=label)
        expr = ET.SubElement(element, f"{{{DMN}}}inputExpression", id=f"input_{id}_expression", typeRef=kind)
        ET.SubElement(expr, f"{{{DMN}}}text").text = expression
    for name, label in OUTPUTS:
        ET.SubElement(table, f"{{{DMN}}}output", id=f"output_{name}", label=label, name=name, typeRef="string")
    for number, (description, entries, outputs) in enumerate(rules(), start=1):
        rule = ET.SubElement(table, f"{{{DMN}}}rule", id=f"rule_{number}")
        ET.SubElement(rule, f"{{{DMN}}}description").text = description
        for id, *_ in INPUTS:
            entry = ET.SubElement(rule, f"{{{DMN}}}inputEntry", id=f"rule_{number}_{id}")
            ET.SubElement(entry, f"{{{DMN}}}text").text = entries.get(id, "-")
        for (name, _), value in zip(OUTPUTS, outputs):
            entry = ET.SubElement(rule, f"{{{DMN}}}outputEntry", id=f"rule_{number}_{name}")
            ET.SubElement(entry, f"{{{DMN}}}text").text = json.dumps(value)
    di = ET.SubElement(root, f"{{{DMNDI}}}DMNDI")
    drd = ET.SubElement(di, f"{{{DMNDI}}}DMNDiagram", id="eligibility_drd")
    shape = ET.SubElement(drd, f"{{{DMNDI}}}DMNShape", id="eligibility_di", dmnElementRef="eligibility")
    ET.SubElement(shape, f"{{{DC}}}Bounds", height="80", width="180", x="160", y="100")
    ET.indent(root, space="  ")
    return b'<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="utf-8") + b"\n"
