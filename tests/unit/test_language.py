from safekeep.policy.language import check_language


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
