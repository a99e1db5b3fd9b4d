import yaml

from safekeep.policy.language import PHRASES_FILE, check_language


def test_blaming_and_labelling_words_are_pointed_out_with_better_ones_and_sources():
    prompts = check_language("She is putting herself at risk with her boyfriend. The perpetrator ran off.")
    assert [(p.found, p.source) for p in prompts] == [
        ("putting herself at risk", "CE 9.0 (Language Matters)"),
        ("her boyfriend", "CE 11.4; CE 9.0 (Language Matters)"),
        ("perpetrator", "CoC 1.3"),
    ]  # in the order they appear
    assert all(p.instead for p in prompts)


def test_plain_factual_words_pass_without_a_prompt():
    assert check_language("Alfie said an older man gave him a phone and told him to carry a bag to Slough.") == []


def test_words_inside_other_words_are_not_flagged():
    assert [p.found for p in check_language("The abusers' list")] == ["abusers"]
    assert check_language("Dealership visit") == []


def test_the_briefings_phrases_are_pointed_out_each_with_better_words_and_its_source():
    """"Language Matters", "Making Words Matter" and UKCIS's victim-blaming guidance, as CE 9.0 names them."""
    text = ("She is in a relationship with a man of 22. She has an older boyfriend. "
            "She put herself at risk. Some said she was asking for it.")
    prompts = check_language(text)
    assert [p.found for p in prompts] == ["in a relationship with", "an older boyfriend", "put herself at risk",
                                          "was asking for it"]
    assert all(p.instead and p.source.startswith(("CE 9.0", "CE 11.4; CE 9.0")) for p in prompts)
    assert [p.source for p in check_language("they were sexting")] == ["CE 9.0 (UKCIS victim-blaming guidance)"]


def test_every_phrase_in_the_list_has_better_words_and_a_source_from_the_policies():
    entries = yaml.safe_load(PHRASES_FILE.read_text(encoding="utf-8"))
    assert len(entries) >= 30
    for entry in entries:
        assert entry["instead"].strip() and entry["source"].strip(), entry["phrase"]
        assert entry["source"].startswith(("CE ", "CoC ")), entry["phrase"]  # a section of the policies
