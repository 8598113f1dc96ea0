"""The rules loader: a valid folder links into a DAG; each kind of mistake gets its exact message."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from taxonomy.errors import RulesError
from taxonomy.rules import alias_variants, default_rules_dir, load_rules, regex_problem, select_areas

from .conftest import FIXTURES

RULES = FIXTURES / "rules"


def problems(mode: str) -> tuple[str, ...]:
    with pytest.raises(RulesError) as caught:
        load_rules(RULES / mode)
    return caught.value.problems


def test_valid_folder_links_concepts_to_families() -> None:
    taxonomy = load_rules(RULES / "valid")
    assert taxonomy.families == ("ssm",)
    mamba = taxonomy.concepts["mamba"]
    assert mamba.parents == ("ssm",)
    assert mamba.families == ("ssm",)
    assert mamba.level == 1
    assert taxonomy.concepts["ssm"].level == 0
    assert taxonomy.children("ssm") == ("mamba", "s4")
    assert mamba.where.endswith("ssm.yaml:16")


def test_missing_cue_and_scoring_files_fall_back_to_bundled() -> None:
    taxonomy = load_rules(RULES / "valid")
    bundled = load_rules()
    assert taxonomy.cues == bundled.cues
    assert taxonomy.scoring == bundled.scoring


def test_version_changes_with_content(tmp_path: Path) -> None:
    for name in ("ssm.yaml",):
        (tmp_path / name).write_text((RULES / "valid" / name).read_text())
    before = load_rules(tmp_path).version
    (tmp_path / "ssm.yaml").write_text(
        (RULES / "valid" / "ssm.yaml").read_text().replace("Selective", "Gated")
    )
    assert load_rules(tmp_path).version != before


@pytest.mark.parametrize(
    ("mode", "expected"),
    [
        ("unknown-key", ["ssm.yaml:13: concept 's4': unknown key 'alias' (did you mean 'aliases'?)"]),
        (
            "missing-key",
            [
                "ssm.yaml:9: concept 's4': missing key 'description'",
                "ssm.yaml:9: concept 's4': missing key 'counterexamples'",
            ],
        ),
        (
            "unknown-parent",
            ["ssm.yaml:9: concept 's4': parent 'ssm-family' is not defined (defined: ssm, s4)"],
        ),
        (
            "cycle",
            ["ssm.yaml:9: concept 'a': parents form a cycle (a -> b -> a); remove one of these parent links"],
        ),
        (
            "duplicate-key",
            [
                "ssm.yaml:16: invalid YAML: duplicate key 's4' (the second one would silently replace the first)"
            ],
        ),
        (
            "bad-regex",
            [
                "ssm.yaml:9: concept 'mamba': pattern 'compound': trigger: regular expression '(a+)+mamba' nests "
                "quantifiers (like '(a+)+'), which can take exponential time; rewrite it without the outer repeat"
            ],
        ),
        (
            "shared-alias",
            [
                "ssm.yaml:9: concept 's4': alias 'State Space Model' also belongs to concept 'ssm' (an alias may name one concept only)"
            ],
        ),
        ("wrong-type", ["ssm.yaml:13: concept 's4': 'aliases' must be a list, not text"]),
        (
            "bad-wildcard",
            [
                "moe.yaml:1: concept 'moe': alias '* experts': a '*' stands for one to three words and must "
                "appear once, as a word of its own between other words (e.g. 'mixture of * experts')",
                "moe.yaml:1: concept 'moe': alias 'MoE * layer': '*' is not allowed in aliases_cased (move "
                "the alias to aliases)",
            ],
        ),
    ],
)
def test_each_mistake_has_its_message(mode: str, expected: list[str]) -> None:
    folder = RULES / mode
    assert list(problems(mode)) == [f"{folder}/{line}" for line in expected]


def test_invalid_yaml_names_file_and_line() -> None:
    (problem,) = problems("bad-yaml")
    # The wording comes from the YAML parser (libyaml or pure Python); file, line and gist are ours.
    assert problem.startswith(f"{RULES / 'bad-yaml'}/ssm.yaml:11: invalid YAML: ")
    assert "expected ',' or ']'" in problem


def test_duplicate_id_names_both_places() -> None:
    folder = RULES / "duplicate-id"
    assert problems("duplicate-id") == (
        f"{folder}/ssm.yaml:1: concept 'ssm': id already defined at {folder}/other.yaml:1 "
        "(ids must be unique across files; rename one)",
    )


def test_invalid_token_pattern_is_reported_with_spacy_reason() -> None:
    (problem,) = problems("bad-token-pattern")
    assert problem.startswith(
        f"{RULES / 'bad-token-pattern'}/ssm.yaml:9: concept 'mamba': pattern 'compound': not a valid spaCy token pattern"
    )
    assert "TEXTT" in problem


def test_every_problem_in_every_file_is_reported_at_once() -> None:
    folder = RULES / "many-problems"
    with pytest.raises(RulesError) as caught:
        load_rules(folder)
    assert caught.value.problems == (
        f"{folder}/rnn.yaml:1: family 'rnn': missing key 'counterexamples'",
        f"{folder}/rnn.yaml:8: family 'rnn': unknown key 'counterexample' (did you mean 'counterexamples'?)",
        f"{folder}/ssm.yaml:13: concept 's4': unknown key 'alias' (did you mean 'aliases'?)",
    )
    assert str(caught.value).splitlines()[0] == f"{folder}: 3 problems"


def test_folder_without_family_files() -> None:
    folder = RULES / "empty"
    assert problems("empty") == (
        f"{folder}: no family files (*.yaml) found; each family needs a file with a 'family:' section",
    )


def test_missing_folder(tmp_path: Path) -> None:
    with pytest.raises(RulesError, match="rules folder not found"):
        load_rules(tmp_path / "nope")


def test_yaml_tags_that_would_run_code_are_refused(tmp_path: Path) -> None:
    (tmp_path / "x.yaml").write_text("family: !!python/object/apply:os.system ['echo pwned']\n")
    with pytest.raises(RulesError, match="invalid YAML"):
        load_rules(tmp_path)


@pytest.mark.parametrize(
    ("expression", "problem"),
    [
        ("[a-z]+former", None),
        ("(a+)+b", "nests quantifiers"),
        ("(\\w*)*x", "nests quantifiers"),
        ("a" * 201, "at most 200"),
        ("(unclosed", "invalid regular expression"),
    ],
)
def test_regex_safety(expression: str, problem: str | None) -> None:
    found = regex_problem(expression)
    assert (found is None) if problem is None else (problem in (found or ""))


def test_alias_variants_cover_hyphens_joins_and_plurals() -> None:
    assert alias_variants("state space model") == [
        "state space model",
        "state space models",
        "state space-model",
        "state space-models",
        "state-space model",
        "state-space models",
        "state-space-model",
        "state-space-models",
    ]
    assert alias_variants("U-Net") == ["U Net", "U Nets", "U-Net", "U-Nets", "UNet", "UNets"]
    assert alias_variants("LSTM") == ["LSTM", "LSTMs"]  # not "LSTMS": "IRLS" is not inverse RL
    assert alias_variants("S4") == ["S4"]
    assert alias_variants("visuomotor policy") == [
        "visuomotor policies",
        "visuomotor policy",
        "visuomotor-policies",
        "visuomotor-policy",
    ]
    assert alias_variants("Gaussian process")[:2] == ["Gaussian process", "Gaussian processes"]
    assert alias_variants("bias") == ["bias", "biases"]
    assert alias_variants("mixture of experts") == [  # already plural: no "expertses"
        "mixture of experts",
        "mixture of-experts",
        "mixture-of experts",
        "mixture-of-experts",
    ]
    assert alias_variants("key", plural=False) == ["key"]


def test_bundled_rules_load_and_ship_schema() -> None:
    taxonomy = load_rules()
    assert (default_rules_dir() / "schema.json").is_file()
    assert len(taxonomy.families) >= 2


def test_family_with_parents_is_refused(tmp_path: Path) -> None:
    text = (
        (RULES / "valid" / "ssm.yaml")
        .read_text()
        .replace("  label: State space models\n", "  label: State space models\n  parents: [foo]\n", 1)
    )
    (tmp_path / "ssm.yaml").write_text(text)
    with pytest.raises(RulesError) as caught:
        load_rules(tmp_path)
    assert caught.value.problems == (
        f"{tmp_path}/ssm.yaml:4: family 'ssm': a family has no parents; remove 'parents' (concepts name their family as parent)",
    )


def _with_areas(tmp_path: Path, text: str) -> Path:
    root = tmp_path / "rules"
    shutil.copytree(FIXTURES / "tagging", root)
    (root / "areas.yaml").write_text(text)
    return root


def test_areas_group_families(tmp_path: Path) -> None:
    root = _with_areas(
        tmp_path,
        "areas:\n  sequence:\n    label: Sequence models\n    description: Models of sequences.\n"
        "    families: [ssm]\n  attention:\n    label: Attention\n    description: Attention models.\n"
        "    families: [transformer]\n",
    )
    rules = load_rules(root)
    assert rules.areas["sequence"].families == ("ssm",) and rules.area_of("transformer") == "attention"
    assert select_areas(rules, ["sequence"]).families == ("ssm",)
    assert list(select_areas(rules, ["sequence"]).areas) == ["sequence"]


@pytest.mark.parametrize(
    ("families", "message"),
    [
        ("[ssm, gnn]", "area 'a' lists 'gnn', which is no family"),
        ("[ssm, mamba]", "area 'a' lists 'mamba', which is no family"),
    ],
)
def test_an_area_names_existing_families(tmp_path: Path, families: str, message: str) -> None:
    root = _with_areas(
        tmp_path, f"areas:\n  a:\n    label: A\n    description: An area.\n    families: {families}\n"
    )
    with pytest.raises(RulesError, match=message):
        load_rules(root)


def test_a_family_is_in_one_area(tmp_path: Path) -> None:
    root = _with_areas(
        tmp_path,
        "areas:\n  a:\n    label: A\n    description: An area.\n    families: [ssm]\n"
        "  b:\n    label: B\n    description: Another.\n    families: [ssm]\n",
    )
    with pytest.raises(RulesError, match="family 'ssm' is in area 'a' and in area 'b'"):
        load_rules(root)


def test_an_applies_to_verb_must_be_a_uses_cue(tmp_path: Path) -> None:
    """ "Apply A to B" reads a `uses` cue further: a verb that is not one would never be found."""
    shutil.copy(RULES / "valid" / "ssm.yaml", tmp_path / "ssm.yaml")
    cues = (default_rules_dir() / "cues.yaml").read_text()
    (tmp_path / "cues.yaml").write_text(cues.replace("applies_to: [apply,", "applies_to: [deploy, apply,"))
    with pytest.raises(RulesError) as caught:
        load_rules(tmp_path)
    assert caught.value.problems == (
        "cues.yaml: applies_to verb 'deploy' is not a 'uses' cue before a name (add it to roles.uses.before)",
    )


def test_a_compares_with_verb_must_be_a_compares_cue(tmp_path: Path) -> None:
    """ "Compare A to B" reads a `compares` cue further, like "apply A to B" a `uses` one."""
    shutil.copy(RULES / "valid" / "ssm.yaml", tmp_path / "ssm.yaml")
    cues = (default_rules_dir() / "cues.yaml").read_text()
    (tmp_path / "cues.yaml").write_text(
        cues.replace("compares_with: [compare,", "compares_with: [contrast, compare,")
    )
    with pytest.raises(RulesError) as caught:
        load_rules(tmp_path)
    assert caught.value.problems == (
        "cues.yaml: compares_with verb 'contrast' is not a 'compares' cue before a name "
        "(add it to roles.compares.before)",
    )
