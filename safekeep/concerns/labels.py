"""How a concern is named in the forms of the records that point at it (a referral, a share, a meeting)."""


def concern_label(concern) -> str:
    return f"Recorded {concern.recorded_at:%-d %B %Y}" + (" (allegation about an adult)" if concern.about_adult else "")
