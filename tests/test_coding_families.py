"""Families of coding failures seen on real abstracts, each pinned by a small case written
for this test (not copied from any abstract): how sentences are cut, which wording names a
design, who the population is, and what direction the findings take."""

from __future__ import annotations

from functools import cache

import pytest

from lib.coding import Codebook, code_record, default_codebook_path, load_codebook
from lib.coding.engine import sentence_roles
from lib.coding.sections import split_sentences
from lib.model import Record


@cache
def codebook() -> Codebook:
    return load_codebook(default_codebook_path())


def code(abstract: str, title: str = ""):
    return code_record(Record(record_id="r", title=title, abstract=abstract), codebook())


# -- sentences -------------------------------------------------------------------------------


def test_headings_printed_glued_to_their_text_are_recognised() -> None:
    text = (
        "AbstractBackgroundPrison health matters. MethodsWe asked 40 nurses to fill in a form. "
        "ResultsThirty replied. ConclusionThe form works."
    )
    found = split_sentences(text)
    assert [s.role for s in found] == ["background", "method", "results", "conclusion"]
    # a capitalised word that merely starts with a heading word is no heading
    plain = "Resultsoriented managers were asked. Data were kept."
    assert [s.role for s in split_sentences(plain)] == ["", ""]


def test_a_line_break_inside_a_sentence_does_not_end_it() -> None:
    text = "Staff described the\r\nSafer Custody\r\nteam as helpful. A second sentence follows."
    found = [text[s.start : s.end] for s in split_sentences(text)]
    assert found == [
        "Staff described the\r\nSafer Custody\r\nteam as helpful.",
        "A second sentence follows.",
    ]


def test_a_hypothesis_confirmed_in_the_results_is_a_finding() -> None:
    confirmed = code(
        "We studied 200 prisoners in two jails. Scores were compared across sites. "
        "As we hypothesized, mentoring improved coping in both jails."
    )
    assert confirmed.direction == "benefit"
    stated = code(
        "We studied 200 prisoners in two jails. Scores were compared across sites. "
        "We hypothesized that mentoring improved coping."
    )
    assert stated.direction == "unclear"


# -- method ----------------------------------------------------------------------------------


def test_measures_taken_before_and_after_a_course_are_a_pre_post_design() -> None:
    coding = code(
        "Officers filled in questionnaires immediately before and after a two-day training "
        "and again three months later. Knowledge rose."
    )
    assert coding.method == "pre-post"
    gain = code(
        "Forty men completed a knowledge questionnaire at intake. Large increases in "
        "knowledge were seen after the peer education sessions."
    )
    assert gain.method == "pre-post"


def test_a_usual_care_comparison_arm_makes_a_comparison_design() -> None:
    coding = code(
        "Participants: 120 men in the programme and 150 treatment-as-usual controls. "
        "Rearrest rates were taken from official records."
    )
    assert coding.method == "quasi-experimental"
    controlled = code("A controlled trial compared the course with no course. Anger fell.")
    assert controlled.method == "quasi-experimental"


def test_cases_randomly_assigned_to_judges_are_not_a_trial() -> None:
    coding = code(
        "We exploit the random assignment of defendants to judges who differ in how often "
        "they send people to prison, and compare later convictions."
    )
    assert coding.method != "rct"
    trial = code("Prisoners were randomly assigned to the mentoring group or a waiting list.")
    assert trial.method == "rct"


def test_a_named_rating_instrument_is_a_survey() -> None:
    coding = code(
        "Eighty older men serving life sentences were seen using the Hamilton Anxiety Scale. "
        "Half scored above the cut-off."
    )
    assert coding.method == "survey"
    records = code("Jail records were read for every woman admitted in 2010. Most were young.")
    assert records.method == "survey"


@pytest.mark.parametrize(
    "design", ["qualitative thesis", "qualitative dissertation", "qualitative enquiry",
               "qualitative project"]
)  # fmt: skip
def test_a_qualitative_thesis_or_enquiry_with_interviews_is_qualitative(design: str) -> None:
    """A qualitative design named by another noun (a thesis, a British 'enquiry') beside
    interviews was coded 'unclear': the interviews alone (weight 1) are a survey's too."""
    coding = code(
        f"This {design} looks at mentoring schemes for men on licence. Interviews were held "
        "with twelve mentors and nine of the men they supported."
    )
    assert coding.method == "qualitative"


# -- population ------------------------------------------------------------------------------


def test_staff_named_by_their_role_in_the_singular_or_as_informants() -> None:
    coding = code(
        "We followed the wellbeing of each correctional officer recruit over a year.",
        title="Stress and the new correctional officer",
    )
    assert "staff" in coding.population
    informants = code("We conducted key informant interviews with jail administrators.")
    assert "staff" in informants.population


def test_staff_who_only_collect_the_data_are_not_the_population() -> None:
    coding = code(
        "Questionnaires were administered by trained prison nurses to 300 women prisoners."
    )
    assert "staff" not in coding.population
    assert "women" in coding.population


def test_incarcerated_youth_are_young_people() -> None:
    coding = code("A yoga class for incarcerated youth was offered in two centres.")
    assert "young-people" in coding.population


# -- direction -------------------------------------------------------------------------------


def test_the_sign_of_a_statistic_is_not_a_benefit() -> None:
    coding = code(
        "We analysed records of 900 men released from prison. Results: Homelessness was "
        "positively associated with rearrest (odds ratio 2.1, 95% confidence interval "
        "1.4-3.0), and men with HIV-positive status faced higher risk of death."
    )
    assert coding.direction == "challenge"


def test_advice_in_a_findings_sentence_is_not_a_finding() -> None:
    coding = code(
        "We interviewed 30 women in jail. Results: Most women lacked information about the "
        "test, and prisons should improve how results are explained and fix the delays."
    )
    assert coding.direction == "challenge"


def test_a_study_rebutting_a_worry_does_not_report_the_worry() -> None:
    coding = code(
        "We asked 50 prisoners about a trauma group. Results: Nearly all found the group "
        "helpful and valued it. Conclusions: Our findings challenge common concerns that "
        "such groups are harmful and cause problems in prison."
    )
    assert coding.direction == "benefit"


def test_ways_to_improve_proposed_by_a_review_are_not_benefits() -> None:
    coding = code(
        "This review shows that incarceration damages health. We suggest ways to lessen "
        "that damage, such as by improving prison conditions and care after release."
    )
    assert coding.direction != "benefit"


def test_a_hard_to_treat_group_is_not_a_finding_of_difficulty() -> None:
    coding = code(
        "We compared a skills course with usual care for 60 men. Results: Anger and "
        "impulsivity improved in the course group. Conclusions: The course may suit this "
        "difficult-to-treat group of offenders."
    )
    assert coding.direction == "benefit"


def test_a_conceded_clause_is_background_not_the_finding() -> None:
    coding = code(
        "We reviewed 400 case files from a prison clinic. Most patients completed treatment. "
        "Conclusion: Although prisoners have high rates of poor health and drug use, the "
        "clinic was successful and valued by patients."
    )
    assert coding.direction == "benefit"


def test_an_untreated_comparison_group_is_not_a_finding_of_neglect() -> None:
    coding = code(
        "Methods: Records of patients in three prisons were compared. Results: Against "
        "the untreated group, treated patients fared better."
    )
    assert coding.direction == "benefit"


def test_a_background_section_that_states_the_aim_gives_the_aim() -> None:
    text = (
        "Background: Few prisons offer group therapy. This study examined how 40 women "
        "rated a therapy group. Results: Most rated it highly."
    )
    roles = [role for _, _, role in sentence_roles_of(text)]
    assert roles == ["background", "aim", "results"]


def test_a_design_named_in_a_results_sentence_counts_in_full() -> None:
    coding = code(
        "Housing is scarce for people leaving prison. We studied a housing scheme in one "
        "city. Findings from a propensity score analysis show that those housed by the "
        "scheme were rearrested less often. Housing matters."
    )
    assert coding.method == "quasi-experimental"


def sentence_roles_of(text: str) -> list[tuple[int, int, str]]:
    from lib.coding.engine import sentence_roles

    return sentence_roles(text, codebook())


def test_a_passing_statistic_in_an_interview_study_does_not_make_mixed_methods() -> None:
    coding = code(
        "We conducted semi-structured interviews and focus groups with 30 rangers and used "
        "thematic analysis within a grounded theory approach, with participant observation "
        "over two years. Results: Rangers described the work through the lens of "
        "ethnographic fieldwork and narrative analysis. A regression of patrol logs "
        "suggested more arrests (odds ratio 1.2)."
    )
    assert coding.method == "qualitative"


def test_a_subgroup_with_a_word_between_is_still_the_subgroup() -> None:
    older = code("We surveyed 120 older male prisoners about their care needs.")
    assert older.population == ("older-people",)
    young = code("We interviewed 25 young incarcerated men about HIV testing.")
    assert "young-people" in young.population
    women = code("We interviewed 30 incarcerated pregnant women about antenatal care.")
    assert "women" in women.population


def test_people_deprived_of_liberty_are_prisoners() -> None:
    coding = code("Guidelines rarely mention persons deprived of liberty, who face high TB risk.")
    assert "general-prison" in coding.population


def test_prisoners_described_by_their_diagnosis_are_a_mental_health_population() -> None:
    coding = code("We reviewed trials of therapy for incarcerated adults with depression.")
    assert "mental-health" in coding.population


def test_women_visiting_prisoners_are_not_women_in_prison() -> None:
    coding = code("We interviewed 20 women visiting prisoners about the visits hall.")
    assert "women" not in coding.population


def test_nouns_that_share_a_stem_with_a_finding_word_are_not_findings() -> None:
    coding = code(
        "We analysed intake data on 500 jail detainees. Results: Reported p-values were "
        "adjusted. Few detainees were seeking help, and social learning theory framed the "
        "analysis. Help-seeking was rare."
    )
    assert coding.direction != "benefit"
    valued = code(
        "We interviewed 20 mentees in prison. Results: Mentees valued the weekly meetings "
        "and said that mentors helped them cope."
    )
    assert valued.direction == "benefit"


def test_a_retrospective_account_is_not_a_cohort_study() -> None:
    coding = code(
        "Methods: A historical review of the literature on prison therapeutic communities.",
        title="Two traditions of the prison therapeutic community: a retrospective account",
    )
    assert coding.method == "narrative-review"


def test_a_cross_sectional_comparison_with_those_without_is_a_survey() -> None:
    coding = code(
        "We analysed health screening data for 2,000 prisoners. Results: Prisoners with "
        "hepatitis C reported more pain than those without, and logistic regression showed "
        "age mattered."
    )
    assert coding.method == "survey"


# -- round 3 ---------------------------------------------------------------------------------


def test_less_of_a_harm_is_a_benefit_not_a_challenge() -> None:
    coded = code(
        "We followed 60 Listeners for a year. Interviews and records were analysed. "
        "Mentoring lowered the risk of relapse and reduced isolation on the wings. "
        "Peer support eased the burden on officers."
    )
    assert coded.direction == "benefit"


def test_more_of_a_good_thing_is_not_a_challenge() -> None:
    coded = code(
        "We compared 120 mentored and 130 unmentored men after release. Records were linked. "
        "Mentored men were more likely to attend treatment and had higher rates of employment. "
        "Peer mentoring helped men settle after prison."
    )
    assert coded.direction == "benefit"


def test_positive_and_negative_behaviours_measured_are_not_mixed_findings() -> None:
    coded = code(
        "Methods: Staff of one therapeutic community rated 40 residents every week. "
        "Results: Weekly ratings of positive and negative behaviours showed that conduct "
        "improved over the course of therapy."
    )
    assert coded.direction == "benefit"
    both = code(
        "We interviewed 30 peer mentors. Mentors gave accounts of their work. "
        "The role had both positive and negative effects on the mentors."
    )
    assert both.direction == "mixed"


def test_a_named_authors_finding_is_not_the_studys_own() -> None:
    coded = code(
        "We interviewed 25 Listeners in three prisons. "
        "Listeners described the role as rewarding and valued the training. "
        "Unlike our Listeners, the peers in Smith et al. found the role harmful."
    )
    assert coded.direction == "benefit"


def test_problem_solving_skills_are_not_a_problem() -> None:
    coded = code(
        "We ran a trial with 80 young men in custody. Sessions were recorded. "
        "Problem-solving scores improved in the mentored group."
    )
    assert coded.direction == "benefit"


def test_a_copyright_notice_is_no_conclusion_and_a_gap_is_background() -> None:
    text = (
        "One in ten men report a parent in prison, yet little research has asked how peer "
        "groups help them. This study examines a peer group for sons of prisoners. "
        "We find that members felt less alone. Taken together, our findings suggest the "
        "groups are worth funding. (c) 2024 The Publisher, all rights reserved."
    )
    roles = [role for _, _, role in sentence_roles(text, codebook())]
    assert roles[0] == "background"
    assert roles[1] == "aim"
    assert roles[-1] == "other"
    assert roles[-2] == "conclusion"


def test_a_share_reported_after_the_aim_is_a_result_not_more_aim() -> None:
    text = (
        "We investigated how 50 Listeners in two prisons coped with their role. "
        "Most Listeners stayed in the role and called the training worthwhile. "
        "These findings have implications for suicide prevention in prisons."
    )
    roles = [role for _, _, role in sentence_roles(text, codebook())]
    assert roles == ["aim", "results", "conclusion"]
    assert code(text).direction == "benefit"


def test_a_title_that_states_the_finding_decides_when_the_abstract_is_silent() -> None:
    silent = (
        "We describe a peer mentoring scheme in two prisons. Mentors met women weekly. "
        "Forty women took part over a year."
    )
    coded = code(silent, title="A successful peer mentoring scheme for women leaving prison")
    assert coded.direction == "benefit"
    assert [e.field for e in coded.evidence_for("direction")] == ["title"]
    # the title is a hint: the abstract's own findings outweigh it
    spoken = code(
        "We interviewed 30 mentors in two prisons. Mentors described barriers and "
        "frustration with the regime, and a lack of training.",
        title="A successful peer mentoring scheme",
    )
    assert spoken.direction == "challenge"


def test_a_diagnosis_counted_in_the_sample_is_an_outcome_not_the_population() -> None:
    counted = code(
        "We aimed to estimate the prevalence of serious mental illness among men in prison. "
        "A random sample of 300 prisoners in four prisons completed a screening interview. "
        "One in five screened positive."
    )
    assert "mental-health" not in counted.population
    assert "general-prison" in counted.population
    described = code(
        "We interviewed 20 prisoners with serious mental illness about peer support. "
        "Participants were recruited from the prison's mental healthcare team. "
        "Peers were valued."
    )
    assert "mental-health" in described.population


def test_an_improvement_found_is_not_taken_for_an_aim_to_improve() -> None:
    found = code(
        "Methods: We followed 50 men released from prison with a peer navigator. "
        "Results: Peer navigation improved access to care and improved outcomes at six months."
    )
    assert found.direction == "benefit"
    aimed = code(
        "Methods: We followed 50 men released from prison with a peer navigator. "
        "Results: Navigators spent most visits on improving access to care."
    )
    assert aimed.direction == "unclear"


_COMPARED = (
    "Methods: We followed 90 women who met a peer mentor before release and 110 who did "
    "not. Results: "
)


def test_less_of_a_harm_said_either_way_round_is_a_benefit() -> None:
    for finding in (
        "Reoffending was lower among the mentored women.",
        "Mentored women had lower depression scores at follow-up.",
        "Mentees said they felt more confident and less isolated after release.",
    ):
        assert code(_COMPARED + finding).direction == "benefit", finding


def test_a_plain_finding_of_no_effect_is_null() -> None:
    for finding in (
        "Mentoring did not reduce reoffending.",
        "There was no reduction in the use of drugs.",
        "Mentored women returned to prison at similar rates to the others.",
    ):
        assert code(_COMPARED + finding).direction == "null", finding


def test_the_strain_of_a_peer_role_is_a_challenge() -> None:
    coded = code(
        "We interviewed 22 peer mentors in three prisons. Results: Mentors found the role "
        "stressful and emotionally draining at times."
    )
    assert coded.direction == "challenge"


def test_the_people_studied_reporting_something_is_a_result_not_the_method() -> None:
    text = (
        "Peer mentoring is offered in many prisons, and little is known about the mentors. "
        "We interviewed 30 mentors in two prisons about their work. "
        "Respondents described frustration with the regime. "
        "Most mentors kept their role for a year. "
        "Prisons may need to give mentors more time with staff."
    )
    roles = [role for _, _, role in sentence_roles(text, codebook())]
    assert roles[1:3] == ["method", "results"]
    assert code(text).direction == "challenge"


def test_groups_compared_in_a_cross_sectional_survey_do_not_make_a_comparison_design() -> None:
    surveyed = code(
        "In a cross-sectional survey, 300 prisoners with and without a peer mentor "
        "completed questionnaires on wellbeing."
    )
    assert surveyed.method == "survey"
    compared = code(
        "Prisoners who joined the peer scheme were matched to a comparison group on age and "
        "offence, and reconvictions were compared over two years."
    )
    assert compared.method == "quasi-experimental"


def test_what_a_goal_will_require_is_not_a_finding() -> None:
    coded = code(
        "Methods: We counted the peer mentors in 12 prisons. Results: Eight prisons had a "
        "scheme. Conclusion: Improving support for mentors will require new funding."
    )
    assert coded.direction == "unclear"


_INTERVIEWED = "Methods: We interviewed 24 peer mentors and 18 mentees in three prisons. Results: "


def test_what_peers_say_the_role_gave_them_is_a_benefit() -> None:
    for finding in (
        "Mentors described the role as meaningful and a source of pride.",
        "Mentees felt safe with mentors who had been there themselves.",
        "Mentoring built trust, and mentees said it made a difference to their lives.",
    ):
        assert code(_INTERVIEWED + finding).direction == "benefit", finding
    # a concept named is not a finding: "trust" as a topic is not "trusted"
    listed = code(_INTERVIEWED + "Topics discussed included trust, routine and family.")
    assert listed.direction == "unclear"


def test_role_strain_and_blurred_boundaries_are_challenges() -> None:
    coded = code(_INTERVIEWED + "Peer workers faced role strain and blurred boundaries with staff.")
    assert coded.direction == "challenge"


def test_staff_interviewed_beside_prisoners_and_peers_with_lived_experience_of_prison() -> None:
    both = code(
        "We surveyed 120 people in prison about peer support, and interviewed 10 prison "
        "officers about the scheme."
    )
    assert set(both.population) == {"general-prison", "staff"}
    healers = code(
        "Peer support workers with lived experience of prison were interviewed about their "
        "own desistance."
    )
    assert healers.population == ("reentry",)


def test_outcomes_set_against_people_who_had_no_mentor_are_a_comparison_design() -> None:
    coded = code(
        "Reconviction rates of 300 mentored men were compared with those of 300 similar men "
        "released from the same prisons who had no mentor."
    )
    assert coded.method == "quasi-experimental"


def test_measures_at_entry_and_exit_or_again_later_are_pre_post() -> None:
    for text in (
        "Mentees completed a wellbeing scale at entry and at exit.",
        "Wellbeing was measured before mentoring began and again six months later.",
    ):
        assert code(text).method == "pre-post", text


def test_a_questionnaire_beside_interviews_in_depth_is_mixed_methods() -> None:
    for text in (
        "We surveyed 200 peer mentors and interviewed 20 of them in depth.",
        "Data came from questionnaires completed by 90 Listeners and from focus groups with "
        "12 of them.",
    ):
        assert code(text).method == "mixed-methods", text
    # interviews with a passing figure remain qualitative
    alone = code(
        "Twenty peer mentors were interviewed in depth; 15 of them were men. Transcripts "
        "were analysed thematically."
    )
    assert alone.method == "qualitative"


def test_a_harm_found_to_be_lower_is_a_benefit_whatever_the_word_order() -> None:
    for finding in (
        "Mortality was lower among those who had a peer navigator.",
        "The risk of overdose death after release was 40% lower among mentored men.",
        "Deaths in the first month fell by half among participants.",
        "The scheme was associated with significant declines in reoffending.",
    ):
        assert code(_COMPARED + finding).direction == "benefit", finding
    assert code(_COMPARED + "Mortality was higher among mentored women.").direction == ("challenge")


def test_linked_records_and_charts_reviewed_are_observational_data() -> None:
    for text in (
        "We linked prison release records to death registrations and calculated "
        "standardised mortality ratios.",
        "Medical charts of 300 prisoners treated for hepatitis C were reviewed.",
    ):
        assert code(text).method == "survey", text


def test_a_good_thing_that_rose_is_a_benefit_and_a_harm_that_remained_high_a_challenge() -> None:
    rose = code(_COMPARED + "Uptake of testing rose from 40% to 75% among mentored women.")
    assert rose.direction == "benefit"
    stayed = code(_COMPARED + "Despite mentoring, reoffending remained high in both groups.")
    assert stayed.direction == "challenge"


def test_more_testing_or_coverage_is_a_benefit_but_more_infections_a_challenge() -> None:
    routine = "Methods: We used routine data from 12 prisons before and after opt-out testing. "
    for finding in (
        "Results: HIV testing increased from 20% to 60% of new arrivals.",
        "Results: Vaccination coverage increased to 85%.",
    ):
        assert code(routine + finding).direction == "benefit", finding
    worse = code(routine + "Results: Hepatitis C infections increased during the period.")
    assert worse.direction == "challenge"
