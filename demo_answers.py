"""What the demo's complainants say and what its staff write: plausible text for every division and form field."""
from __future__ import annotations

PEOPLE = [("Alex Morgan", "alex.morgan@example.org"), ("Samira Patel", "samira.patel@example.org"),
          ("Joanne O'Neill", "jo.oneill@example.org"), ("Chris Evans", "chris.evans@example.org"),
          ("Priya Shah", "priya.shah@example.org"), ("Tom Hughes", "tom.hughes@example.org"),
          ("Grace Okafor", "grace.okafor@example.org"), ("Dafydd Rees", "dafydd.rees@example.org"),
          ("Marek Nowak", "marek.nowak@example.org"), ("Aisha Rahman", "aisha.rahman@example.org"),
          ("Liam Byrne", "liam.byrne@example.org"), ("Helen Carter", "helen.carter@example.org")]

# complaints and concerns as people write them, by division: probation services, employment support,
# apprenticeships and training, and disability employment through delivery partners
SUMMARIES_BY_DIVISION = {
    "IA": ["My probation practitioner referred me to the accommodation service, but nobody from it has been in touch "
           "for five weeks and I am about to lose my room.",
           "I was told my Thinking Skills sessions would be on Tuesdays, then two were cancelled without notice and "
           "I was recorded as not attending.",
           "The dependency and recovery worker discussed my case in the waiting room where other people could hear.",
           "I asked for my sessions to be in Welsh and was told that was not possible, without anyone checking.",
           "The wellbeing support I was promised after my release never started and my calls are not returned.",
           "My key worker was rude to me when I explained I could not come in because of my childcare."],
    "EUK": ["My work coach booked me onto a CV course I had already completed and said my benefit could be affected "
            "if I did not go.",
            "I have been waiting six weeks for the travel expenses I was told Restart would reimburse.",
            "The adviser shared my health condition with an employer without asking me first.",
            "My appointments keep being moved at short notice and I have had to turn down shifts because of it.",
            "Nobody replied to my three emails asking to change adviser.",
            "I was promised help with a forklift licence and then told the funding had gone."],
    "ST": ["My apprenticeship assessor has missed our last three reviews and my end-point assessment is now late.",
           "The functional skills exam was booked on a day I told the centre I could not attend.",
           "My tutor marked my portfolio as incomplete although I uploaded every piece of evidence in October.",
           "The training provider took my employer's levy funding but I have had no off-the-job training since June.",
           "I asked for reasonable adjustments for my dyslexia and they were not in place for my assessment.",
           "The certificate for my level 3 qualification has not arrived four months after I passed."],
    "PL": ["The delivery partner's job coach stopped contacting me after my first placement ended.",
           "My Access to Work application was not sent although the adviser said it had been.",
           "I was placed in a job that did not meet the adjustments we had agreed for my hearing loss.",
           "The Pluss office moved and nobody told me; I travelled an hour for an appointment that was not there.",
           "The subcontractor's adviser spoke about my mental health in front of the employer.",
           "I was told my Work and Health Programme place would continue, then received a letter ending it."],
}
SUMMARIES = [text for texts in SUMMARIES_BY_DIVISION.values() for text in texts]
COMPLIMENTS = ["I want to thank my adviser, who helped me get my first job in four years.",
               "The team were patient and kind when I was struggling, and I finished my course because of them.",
               "My job coach went out of her way to find a placement that suited my needs."]
ESCALATION_REASONS = ["The response did not explain why my appointments were cancelled, and nobody has said what "
                      "will change.",
                      "I still have not been paid, and the letter did not say when I would be."]

# staff answers by form field: what a careful investigator, manager or panel member would write
FIELD_TEXT = {
    "acknowledgement_note": "Acknowledged by phone and email; the complainant prefers email.",
    "actions_taken": "Spoke to the adviser's manager, who has rebooked the appointment and apologised.",
    "advice": "The complainant was given the provider's complaints address and told we had passed on their details.",
    "behaviour": "Repeated abusive phone calls to the office after the meeting.",
    "behaviour_description": "Raised voice and personal remarks to the receptionist on two visits.",
    "best_practice_notes": "Sharing the reminder-call routine with the other offices in the region.",
    "business_area": "Employment support, Manchester office",
    "colleague_account": "The colleague accepts the appointments were moved and says the diary system failed.",
    "complaint_review_notes": "The complaint meets the formal stage criteria; an independent officer is needed.",
    "compliment_text": "Thank you to my adviser for helping me into work.",
    "confidentiality_explanation": "The colleague's account names a third party, so it is summarised, not copied.",
    "contact": "Call the complaints team on 0300 123 4567 or reply to this letter.",
    "contract": "Restart Scheme, North West",
    "deceased_decision_reasons": "The relative holds the lasting power of attorney and asked for the outcome.",
    "decision_reasons": "The evidence did not show a breach of the code of conduct; coaching is recommended.",
    "delivery_partner": "Northern Pathways Ltd",
    "description": "Add automatic reminder texts for every rebooked appointment.",
    "director_comments": "The response is clear and answers each point the complainant raised.",
    "findings": ("The diary shows two appointments cancelled on the day without a call to the complainant. The "
                 "adviser has had a reminder of the notice standard."),
    "hr_next_steps": "HR will hold an informal conversation with the colleague and record the outcome.",
    "hr_notes": "Referred because the complaint describes possible misconduct; HR confirmed receipt.",
    "improvement_actions": "Reminder texts for rebooked appointments; a team briefing on the notice standard.",
    "information_needed": "The office diary for November and the adviser's case notes.",
    "interim_text": ("We need a little more time to speak to everyone involved and will reply in full by the date "
                     "below."),
    "learning_summary": "Appointments were moved without notice; the office now sends a text for every change.",
    "mediation_outcome": "Both sides agreed a new appointment pattern and a single named contact.",
    "misconduct_concern": "No misconduct found.",
    "notes": "Complainant prefers calls after 3pm.",
    "other": "Would like a friend present at any meeting.",
    "other_providers": "The local authority's housing team",
    "permission_evidence": "Ticked yes on the public form and confirmed by email.",
    "permission_scope": "First name and town only, in the staff newsletter.",
    "preferred_format": "Email",
    "published_where": "Staff newsletter, January edition",
    "quality_improvement_notes": "Shared with the team as an example of good follow-up after a placement.",
    "raised_with": "The adviser, by phone, on the day.",
    "reasons_for_dissatisfaction": ESCALATION_REASONS[0],
    "referral_reason": "Referred by the local Citizens Advice.",
    "relationship": "Daughter",
    "reopen_scope": "Reinvestigate whether the travel expenses were authorised.",
    "resolution_summary": "The partner apologised and paid the expenses owed.",
    "response_summary": "We apologised and rebooked the appointments, each with a reminder text.",
    "response_text": ("Thank you for telling us about your appointments. We have looked at the office diary and spoken "
                      "to your adviser. Two appointments were cancelled on the day without a call to you, which "
                      "should not have happened. We are sorry. From now on you will receive a text whenever an "
                      "appointment changes."),
    "revision_notes": "Added the dates of the cancelled appointments, as the Director asked.",
    "review_notes": "The reminder texts are in place and no missed appointments have been reported since.",
    "support_agreed": "Letters in large print and a phone call before each meeting.",
    "team_name": "Employment support team",
    "third_party_contact": "0161 555 0134",
    "third_party_name": "Northern Pathways Ltd",
    "triage_notes": "Service delivery complaint within the time limit; informal stage first.",
    "how_asked": "By email after the case closed.",
    "language": "Welsh",
    "advocate_name": "Jean Hughes (Citizens Advice)",
    "colleague_name": "Sarah Ahmed",
    "investigating_officer_name": "An officer from another region",
    "responder_name": "Complaints Manager",
    "responsible_provider": "The local college",
    "name": "Complaints team",
    "owner": "Office manager",
}


def text_for(name: str, variant: int) -> str:
    """Plausible text for a form field, chosen by its name; a sensible case note for anything unforeseen."""
    if name in FIELD_TEXT:
        return FIELD_TEXT[name]
    for key, text in FIELD_TEXT.items():
        if key in name or name in key:
            return text
    fallbacks = ["Checked the case file and spoke to the colleague involved.",
                 "Discussed with the complainant by phone; their account is recorded on the file."]
    return fallbacks[variant % len(fallbacks)]
