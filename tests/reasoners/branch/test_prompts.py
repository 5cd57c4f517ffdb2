import shutil

import pytest

from records.errors import ParseError
from reasoners.branch.prompts import PROMPT_DIR, load_prompt, manifest_problems
from reasoners.branch.steps import COT, DECOMPOSE, ESTIMATE, GENERALISE, SPLIT


def test_every_template_matches_its_manifest_hash():
    assert manifest_problems() == []


def test_a_changed_template_without_a_version_bump_is_caught(tmp_path):
    folder = tmp_path / "prompts"
    shutil.copytree(PROMPT_DIR, folder)
    assert manifest_problems(folder) == []
    tpl = folder / "estimate.v1.j2"
    tpl.write_text(tpl.read_text() + "\n", encoding="utf-8")
    (folder / "split.v1.examples.json").write_text("[]", encoding="utf-8")
    problems = manifest_problems(folder)
    assert len(problems) == 2 and all("without a version bump" in p for p in problems)
    shutil.copy(folder / "cot.v1.j2", folder / "cot.v2.j2")
    assert any(p.startswith("cot.v2: not in manifest") for p in manifest_problems(folder))


@pytest.mark.parametrize("step", [DECOMPOSE, ESTIMATE, GENERALISE, SPLIT, COT])
def test_prompts_render_with_examples_and_are_cited_with_a_hash(step):
    assert step.prompt.ref == f"{step.name}@v1#{step.prompt.sha256[:12]}"
    assert load_prompt(step.name, 1) is step.prompt
    # the few-shot answers follow the step's own schema
    for _, answer in step.prompt.examples:
        step.output.model_validate_json(answer)


def test_parse_tolerates_fences_and_prose():
    out = ESTIMATE.parse('Sure!\n```json\n{"value": 0.25, "low": 0.2, "high": 0.3}\n```', {"kind": "fraction"})
    assert out.value == 0.25


@pytest.mark.parametrize("text,field", [
    ("no json here", "json"),
    ('{"value": ', "json"),
    ('{"low": 0.1}', "value"),
    ('{"value": 12}', "value"),
    ('{"value": 0.2, "low": 0.3}', "low"),
    ('{"value": 0.2, "confidence": 3}', "confidence"),
])
def test_estimate_parse_errors_name_step_and_field_only(text, field):
    with pytest.raises(ParseError) as e:
        ESTIMATE.parse(text, {"kind": "fraction"})
    assert e.value.step == "estimate" and e.value.field == field


def test_counts_must_be_counts():
    with pytest.raises(ParseError):
        ESTIMATE.parse('{"value": 0.5}', {"kind": "count"})
    assert ESTIMATE.parse('{"value": 3400000}', {"kind": "count"}).value == 3400000


def test_decompose_errors_do_not_echo_model_output():
    canary = "canary-id-xyz"
    text = ('{"select": {"use": ["%s"]}, "order": [{"node": "n1", "attributes": []}], "questions": {"n1": "How many?"}}'
            % canary)
    with pytest.raises(ParseError) as e:
        DECOMPOSE.parse(text, {"attribute_ids": ["a1"]})
    assert canary not in str(e.value)
    with pytest.raises(ParseError):  # node ids are plain tokens, so they may appear in network errors
        DECOMPOSE.parse('{"select": {"use": ["a1"]}, "order": [{"node": "n 1; drop", "attributes": ["a1"]}],'
                        ' "questions": {"n 1; drop": "How many people?"}}', {"attribute_ids": ["a1"]})
