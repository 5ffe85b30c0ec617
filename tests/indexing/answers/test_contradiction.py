"""The premise checks that make the engine abstain when the best sentence says otherwise."""

from __future__ import annotations

from indexing.answers.contradiction import premise_conflicts

SENTENCE = "The most commonly used reduction is a polynomial-time reduction."


def test_an_opposite_word_conflicts():
    reasons = premise_conflicts("What is the least used type of reduction?", SENTENCE, [SENTENCE])
    assert reasons == ["'least' against 'most'"]


def test_the_same_question_without_the_swap_does_not_conflict():
    assert premise_conflicts("What is the most used type of reduction?", SENTENCE, [SENTENCE]) == []


def test_an_opposite_the_question_also_names_is_no_conflict():
    # "before or after" asks about both sides; the sentence naming one of them answers it.
    sentence = "The vote took place after the election."
    assert premise_conflicts("Was the vote before or after the election?", sentence, [sentence]) == []


def test_negation_by_prefix_conflicts_both_ways():
    complicated = "Some complexity classes have complicated definitions that do not fit this framework."
    assert premise_conflicts("What has uncomplicated definitions?", complicated, [complicated])
    inactive = "Immunodeficiencies occur when one or more of the components of the immune system are inactive."
    assert premise_conflicts("What occurs when the components of the immune system are active?",
                             inactive, [inactive])


def test_short_words_are_not_read_as_negations():
    sentence = "The committee met inside the old town hall."
    assert premise_conflicts("Which side of the town hall did the committee meet on?", sentence, [sentence]) == []


def test_a_figure_found_in_no_passage_conflicts():
    sentence = "Between 1991 and 2000, the area of forest lost rose from 415,000 to 587,000 square kilometres."
    question = "41,500 square kilometres of forest were lost between what years?"
    assert premise_conflicts(question, sentence, [sentence]) == ["41,500 is in none of the passages"]
    assert premise_conflicts("415,000 square kilometres of forest were lost by what year?", sentence, [sentence]) == []


def test_years_and_small_numbers_are_not_checked():
    sentence = "Deforestation in 2000 to 2005 was 18% higher than in the previous five years."
    assert premise_conflicts("How much higher was deforestation in 2000 to 2005 than in 1995 to 2000?",
                             sentence, [sentence]) == []
    assert premise_conflicts("What mediates Type 1 hypersensitivity?", "IgE mediates Type I hypersensitivity.",
                             ["IgE mediates Type I hypersensitivity."]) == []


def test_a_figure_in_another_retrieved_passage_is_no_conflict():
    question = "What happened to the 587,000 square kilometres?"
    assert premise_conflicts(question, "Most lost forest became pasture.",
                             ["Most lost forest became pasture.", "The area rose to 587,000 square kilometres."]) == []


def test_idioms_are_not_opposites():
    sentence = "It is believed that the problem is at least not NP-complete."
    assert premise_conflicts("Which class is most commonly not ascribed to the problem?", sentence, [sentence]) == []


def test_ordinals_and_decades_are_not_figures():
    sentence = "The tenth edition appeared in the nineteen-nineties."
    assert premise_conflicts("When did the 10th edition of the 1990s series appear?", sentence, [sentence]) == []
