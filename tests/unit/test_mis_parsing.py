from datetime import date

from safekeep.imports.parsing import parse_children, parse_staff

TODAY = date(2026, 11, 23)


def test_common_mis_headings_and_values_are_understood():
    text = ("Adno,UPN,Forename,Surname,Known As,DOB,Sex,NC Year,SEN,In LA Care,Responsible Local Authority\n"
            "123,a123456789012,Amira,Hassan,Mira,2014-09-30,Female,Year 7,E,Y,Ealing\n")
    parsed = parse_children(text.encode("cp1252"), today=TODAY)
    assert parsed.errors == []
    row = parsed.rows[0]
    assert (row["mis_id"], row["upn"], row["preferred_name"], row["date_of_birth"]) == (
        "123", "A123456789012", "Mira", "2014-09-30")
    assert (row["send_status"], row["looked_after"], row["placing_authority"]) == ("ehcp", True, "Ealing")


def test_a_file_without_the_needed_columns_says_which_are_missing():
    parsed = parse_children(b"Name,Class\nAmira,7H\n", today=TODAY)
    assert parsed.rows == []
    assert "admission number" in parsed.errors[0].message and "date of birth" in parsed.errors[0].message


def test_duplicate_admission_numbers_are_named_with_both_lines():
    text = "Admission Number,Legal Forename,Legal Surname,Date of Birth\n1,A,B,01/01/2014\n1,C,D,01/01/2014\n"
    parsed = parse_children(text.encode(), today=TODAY)
    assert [(e.line, "also on line 2" in e.message) for e in parsed.errors] == [(3, True)]


def test_a_date_of_birth_in_the_future_is_refused():
    text = "Admission Number,Legal Forename,Legal Surname,Date of Birth\n1,A,B,01/01/2030\n"
    assert "is not a child's" in parse_children(text.encode(), today=TODAY).errors[0].message


def test_staff_roles_in_plain_words_are_understood_and_odd_ones_refused():
    parsed = parse_staff(b"Email,Full name,Safekeep role\na@x.org,A,Designated safeguarding lead\n"
                         b"b@x.org,B,Regional director\n")
    assert parsed.rows[0]["role"] == "dsl"
    assert parsed.errors[0].line == 3 and "not one given at an establishment" in parsed.errors[0].message


def test_a_binary_file_is_refused_in_plain_words():
    assert "not a text file" in parse_children(b"\xff\xfe\x00\x81\x9d", today=TODAY).errors[0].message
