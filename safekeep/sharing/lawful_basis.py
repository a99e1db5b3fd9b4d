"""The lawful bases a school or children's home relies on to share safeguarding information (CoC 12.1).

One list, in plain words with the legal reference beside each, so the DSL picks what they mean and the
data protection officer reads the law. Safeguarding information about a child is usually special
category data (health, sex life) or close to it, so each choice pairs a UK GDPR Article 6 basis with,
where special category information is shared, its Article 9 condition and the Data Protection Act 2018
Schedule 1 condition that goes with it. Sources: UK GDPR Articles 6 and 9; DPA 2018 section 10 and
Schedule 1 paragraphs 10 and 18; HM Government, Information sharing: advice for practitioners (2018,
updated 2024); Working Together to Safeguard Children (2023).
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class LawfulBasis:
    code: str
    label: str  # what the DSL reads
    article_6: str
    special_condition: str  # the Article 9 condition and DPA 2018 Schedule 1 condition, or "" when none

    @property
    def reference(self) -> str:
        return "; ".join(part for part in (self.article_6, self.special_condition) if part)


LAWFUL_BASES = (
    LawfulBasis("public-task-safeguarding",
                "Our public task, and safeguarding children and individuals at risk",
                "UK GDPR Art 6(1)(e) public task",
                "Art 9(2)(g) substantial public interest, with DPA 2018 s.10(3) and Sch 1 para 18 "
                "(safeguarding of children and of individuals at risk)"),
    LawfulBasis("legal-obligation-safeguarding",
                "A legal duty to share (for example a section 47 enquiry or a court order), and safeguarding",
                "UK GDPR Art 6(1)(c) legal obligation",
                "Art 9(2)(g) substantial public interest, with DPA 2018 s.10(3) and Sch 1 para 18 "
                "(safeguarding of children and of individuals at risk)"),
    LawfulBasis("public-task-crime",
                "Our public task, and preventing or detecting crime (sharing with the police)",
                "UK GDPR Art 6(1)(e) public task",
                "Art 9(2)(g) substantial public interest, with DPA 2018 s.10(3) and Sch 1 para 10 "
                "(preventing or detecting unlawful acts)"),
    LawfulBasis("vital-interests",
                "To protect someone's life, when they cannot give consent",
                "UK GDPR Art 6(1)(d) vital interests",
                "Art 9(2)(c) vital interests, where the person cannot give consent"),
    LawfulBasis("consent",
                "The person (or a parent for a young child) agreed, and explicitly for sensitive information",
                "UK GDPR Art 6(1)(a) consent",
                "Art 9(2)(a) explicit consent"),
    LawfulBasis("public-task-only",
                "Our public task, with no sensitive (special category) information shared",
                "UK GDPR Art 6(1)(e) public task", ""),
)
BY_CODE = {basis.code: basis for basis in LAWFUL_BASES}
CHOICES = [(basis.code, basis.label) for basis in LAWFUL_BASES]
# What a DSL sharing with children's services would expect (HM Government advice, 2018: "safeguarding of
# children and individuals at risk" is the DPA 2018 condition written for this).
DEFAULT = "public-task-safeguarding"


def describe(code: str) -> str:
    basis = BY_CODE.get(code)
    return f"{basis.label} ({basis.reference})" if basis else code
