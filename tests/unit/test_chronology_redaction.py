"""Withholding other people's names from the chronology PDF: only the names given, as whole words in any case,
never the child's own name or any part of it."""

from safekeep.chronology.redaction import WITHHELD, own_name_words, redaction_of

KEEP = own_name_words("Alfie", "Khan", "Alexander")


def test_each_name_given_goes_as_a_whole_word_in_any_case_longest_first():
    withhold = redaction_of(["Kit Friend", "Kit", "Friend", "Sam Okafor"], keep=KEEP)
    assert withhold("KIT friend pushed him; kit said sorry to Sam  Okafor.") == \
        f"{WITHHELD} pushed him; {WITHHELD} said sorry to {WITHHELD}."
    assert withhold("Kitchen staff were friendly") == "Kitchen staff were friendly"  # inside a word: left


def test_the_childs_own_name_stays_even_when_another_shares_part_of_it():
    withhold = redaction_of(["Sara Khan", "Sara", "Khan", "Alfie Jones", "Alfie", "Jones"], keep=KEEP)
    assert withhold("Alfie Khan and Sara Khan met Alfie Jones.") == f"Alfie Khan and {WITHHELD} met {WITHHELD}."


def test_nothing_to_withhold_changes_nothing():
    withhold = redaction_of(["", "  ", "K", "Khan"], keep=KEEP)
    assert not withhold.withholds and withhold("K. Khan (Alfie)") == "K. Khan (Alfie)"


def test_names_with_characters_a_pattern_would_read_are_taken_as_written():
    withhold = redaction_of(["D'Arcy (Jo)", "Ann-Marie O'Neil"], keep=KEEP)
    assert withhold("Told Ann-Marie O'Neil and D'Arcy (Jo).") == f"Told {WITHHELD} and {WITHHELD}."
