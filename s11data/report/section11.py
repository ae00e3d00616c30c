"""The one standard text on what Section 11 asks and of whom, as the published reports quote it from the statutory
guidance (Working Together to Safeguard Children 2023, quoted in the NSSCP Section 11 report 2023-24 "What is
Section 11?"; the 2018 edition's opening sentence in the GSCP report 2021, and the same list in the South
Gloucestershire reports' "Background"). Nothing here is new wording: it is the guidance as the reports give it."""
from __future__ import annotations

GUIDANCE = "Working Together to Safeguard Children 2023: statutory guidance"

DUTY = ("Section 11 of the Children Act 2004 places duties on a range of organisations, agencies and individuals to "
        "ensure their functions, and any services that they contract out to others, are discharged having regard "
        "to the need to safeguard and promote the welfare of children.")

WHO_LEAD = "Section 11 places a duty on:"
WHO: tuple[str, ...] = (
    "local authorities and district councils that provide children's and other types of services, including "
    "children's and adult social care services, public health, housing, sport, culture and leisure services, "
    "licensing authorities and youth services",
    "NHS organisations and agencies and the independent sector, including NHS England and clinical commissioning "
    "groups, NHS Trusts, NHS Foundation Trusts and General Practitioners",
    "the police, including police and crime commissioners and the chief officer of each police force in England "
    "and the Mayor's Office for Policing and Crime in London",
    "the British Transport Police",
    "the National Probation Service and Community Rehabilitation Companies",
    "Governors/Directors of Prisons and Young Offender Institutions (YOIs)",
    "Directors of Secure Training Centres (STCs)",
    "Principals of Secure Colleges",
    "Youth Offending Teams/Services (YOTs)",
)

ARRANGEMENTS_LEAD = ("These organisations and agencies should have in place arrangements that reflect the importance "
                     "of safeguarding and promoting the welfare of children, including:")
ARRANGEMENTS: tuple[str, ...] = (
    "a clear line of accountability for the commissioning and/or provision of services designed to safeguard and "
    "promote the welfare of children",
    "a senior board level lead with the required knowledge, skills and expertise or sufficiently qualified and "
    "experienced to take leadership responsibility for the organisation's/agency's safeguarding arrangements",
    "a culture of listening to children and taking account of their wishes and feelings, both in individual "
    "decisions and the development of services",
    "clear whistleblowing procedures, which reflect the principles in Sir Robert Francis' Freedom to Speak Up "
    "Review and are suitably referenced in staff training and codes of conduct, and a culture that enables issues "
    "about safeguarding and promoting the welfare of children to be addressed",
    "clear escalation policies for staff to follow when their child safeguarding concerns are not being addressed "
    "within their organisation or by other agencies",
    "arrangements which set out clearly the processes for sharing information, with other practitioners and with "
    "safeguarding partners",
    "a designated practitioner (or, for health commissioning and health provider organisations/agencies, "
    "designated and named practitioners) for child safeguarding",
    "safe recruitment practices and ongoing safe working practices for individuals whom the organisation or agency "
    "permit to work regularly with children, including policies on when to obtain a criminal record check",
    "appropriate supervision and support for staff, including undertaking safeguarding training",
    "creating a culture of safety, equality and protection within the services they provide",
)

IN_ADDITION: tuple[str, ...] = (
    "employers are responsible for ensuring that their staff are competent to carry out their responsibilities "
    "for safeguarding and promoting the welfare of children and creating an environment where staff feel able to "
    "raise concerns and feel supported in their safeguarding role",
    "staff should be given a mandatory induction, which includes familiarisation with child protection "
    "responsibilities and the procedures to be followed if anyone has any concerns about a child's safety or "
    "welfare",
    "all practitioners should have regular reviews of their own practice to ensure they have knowledge, skills "
    "and expertise that improve over time",
)

AUDIT = ("A Section 11 audit asks the partnership's organisations to assess, monitor and evidence their progress "
         "and achievements in meeting these safeguarding responsibilities.")
"""How the NSSCP report 2023-24 describes the audit's purpose (Introduction)."""
