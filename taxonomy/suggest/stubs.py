"""Show candidates as a table, or as rules stubs in the format of ``rules/*.yaml``."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable

from taxonomy.rules import Taxonomy, alias_variants
from taxonomy.suggest.scan import Candidate


def to_table(candidates: Iterable[Candidate]) -> str:
    """A plain-text table: rank, candidate, papers, score, proposed parent, variants."""
    rows = [("rank", "candidate", "papers", "score", "parent", "variants")]
    for rank, c in enumerate(candidates, 1):
        variants = ", ".join(v for v in c.variants if v != c.name)
        variants = variants if len(variants) <= 60 else variants[:57] + "..."
        rows.append((str(rank), c.name, str(c.papers), f"{c.score:.1f}", c.parent or "-", variants))
    widths = [max(len(r[i]) for r in rows) for i in range(5)]
    right = (True, False, True, True, False)
    lines = []
    for row in rows:
        cells = [
            cell.rjust(w) if r else cell.ljust(w) for cell, w, r in zip(row, widths, right, strict=False)
        ]
        lines.append("  ".join([*cells, row[5]]).rstrip())
    if len(rows) == 1:
        lines.append("(no candidates: try a larger corpus or a lower --min-papers)")
    return "\n".join(lines) + "\n"


def to_yaml(candidates: Iterable[Candidate], taxonomy: Taxonomy) -> str:
    """Rules stubs for the candidates, one YAML document per proposed family, ready to paste and edit."""
    groups: dict[str, list[Candidate]] = {}
    for c in candidates:
        family = taxonomy.concepts[c.parent].families[0] if c.parent else ""
        groups.setdefault(family, []).append(c)
    lines = [
        "# Concepts suggested by 'taxonomy suggest'. Paste the entries of each document under 'concepts:'",
        "# in the family's rules file, fill in every TODO, then run 'taxonomy rules check' and 'rules test'.",
    ]
    ids = set(taxonomy.concepts)
    for family in sorted(groups, key=lambda f: (f == "", f)):
        if family:
            concept = taxonomy.concepts[family]
            lines += [
                "---",
                f"# family '{family}' ({concept.label}): paste under 'concepts:' in {_basename(concept.file)}",
            ]
        else:
            lines += [
                "---",
                "# no family: these names rarely share a sentence with a known concept. Choose their",
                "# parents, or start a new family file for them.",
            ]
        lines.append("concepts:")
        for c in groups[family]:
            lines += _stub(c, _new_id(c.name, ids))
    return "\n".join(lines) + "\n"


def _stub(c: Candidate, cid: str) -> list[str]:
    cased, plain = _aliases(c)
    parent = f"{c.parent} ({c.votes} of {c.sentences} sentences)" if c.parent else "none found"
    label = c.name[0].upper() + c.name[1:] if " " in c.name else c.name
    out = [
        f"  # {c.name}: {c.papers} paper{'s' if c.papers != 1 else ''}, score {c.score:g}, {c.method_uses} method-like and "
        f"{c.data_uses} data-like uses; parent: {parent}",
        f"  {cid}:",
        f"    label: {_scalar(label)}",
        f"    description: {_scalar(f'TODO: one line on what {c.name} is')}",
        f"    parents: [{_scalar(c.parent or 'todo-choose-a-parent')}]",
    ]
    if plain:
        out.append(f"    aliases: [{', '.join(_scalar(a) for a in plain)}]")
    if cased:
        out.append(f"    aliases_cased: [{', '.join(_scalar(a) for a in cased)}]")
    examples = [s for _, s in c.examples if _names(s, cased, plain)] or [s for _, s in c.examples[:1]]
    out.append("    examples:")
    out += [f"      - {_scalar(s)}" for s in examples]
    out.append("    counterexamples:")
    out.append(
        f"      - {_scalar(f'TODO: replace with a sentence that names {c.name} in another sense, which must not be tagged')}"
    )
    return out


def _aliases(c: Candidate) -> tuple[list[str], list[str]]:
    """(cased, plain): acronyms and short names match with their case, longer names and phrases without."""
    cased: list[str] = []
    plain: list[str] = []
    exact: set[str] = set()  # spellings the cased aliases already match
    loose: set[str] = set()  # lower-cased spellings the plain aliases already match
    lowered_all = {v.lower() for v in c.variants}
    # Singular spellings first: the plural -s is matched anyway.
    for form in sorted(c.variants, key=lambda f: f.endswith("s") and f[:-1].lower() in lowered_all):
        if form in exact or form.lower() in loose:
            continue
        if (
            " " not in form
            and form != c.long_form
            and (len(form) <= 4 or not any(ch.islower() for ch in form[:-1]))
        ):
            cased.append(form)
            exact.update(alias_variants(form))
        else:
            plain.append(form.lower() if " " in form else form)
            loose.update(v.lower() for v in alias_variants(form))
    return cased, plain


def _names(sentence: str, cased: list[str], plain: list[str]) -> bool:
    """Whether an alias (or a spelling variant) appears as whole words in a sentence."""
    for alias in cased + plain:
        flags = 0 if alias in cased else re.IGNORECASE
        for variant in alias_variants(alias):
            if re.search(rf"(?<![A-Za-z0-9]){re.escape(variant)}(?![A-Za-z0-9])", sentence, flags):
                return True
    return False


def _new_id(name: str, taken: set[str]) -> str:
    base = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-") or "candidate"
    cid, n = base, 1
    while cid in taken:
        n += 1
        cid = f"{base}-{n}"
    taken.add(cid)
    return cid


def _basename(path: str) -> str:
    return path.replace("\\", "/").rsplit("/", 1)[-1]


_PLAIN = re.compile(r"[A-Za-z][A-Za-z0-9 ._/()'-]*")
_RESERVED = frozenset(["yes", "no", "on", "off", "true", "false", "y", "n", "null"])


def _scalar(text: str) -> str:
    """``text`` as a YAML scalar: plain when that reads back the same, else double-quoted."""
    if _PLAIN.fullmatch(text) and text.lower() not in _RESERVED and not text.endswith(" "):
        return text
    return json.dumps(text, ensure_ascii=False)
