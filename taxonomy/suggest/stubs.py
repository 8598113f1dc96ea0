"""Show candidates as a table, or as rules stubs in the format of ``rules/*.yaml``."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence

from taxonomy.rules import Taxonomy, alias_variants
from taxonomy.suggest.rank import Candidate


def to_table(candidates: Iterable[Candidate]) -> str:
    """Two plain-text tables: the candidates with a proposed parent, then those that fit no family."""
    found = list(candidates)
    placed = [c for c in found if c.parent]
    unplaced = [c for c in found if not c.parent]
    rows = [(c.name, str(c.papers), f"{c.score:.1f}", c.parent or "-", _variants(c)) for c in placed]
    text = _rows(("candidate", "papers", "score", "parent", "variants"), rows) if placed else ""
    if not placed:
        text += "(no candidate fits a family: try a larger corpus or a lower --min-papers)\n"
    if unplaced:
        rows = [(c.name, str(c.papers), f"{c.score:.1f}", c.why, _variants(c)) for c in unplaced]
        text += "\nNames that fit none of the families (no parent proposed):\n"
        text += _rows(("candidate", "papers", "score", "why", "variants"), rows)
    return text


def _variants(c: Candidate) -> str:
    variants = ", ".join(v for v in c.variants if v != c.name)
    return variants if len(variants) <= 60 else variants[:57] + "..."


def _rows(header: tuple[str, ...], rows: Sequence[tuple[str, ...]]) -> str:
    """Rank and cells in columns, the last one left ragged; numbers right-aligned."""
    table = [("rank", *header)] + [(str(n), *row) for n, row in enumerate(rows, 1)]
    widths = [max(len(r[i]) for r in table) for i in range(len(header))]
    right = (True, False, True, True, False)
    lines = []
    for row in table:
        cells = [
            cell.rjust(w) if r else cell.ljust(w) for cell, w, r in zip(row, widths, right, strict=False)
        ]
        lines.append("  ".join([*cells, row[-1]]).rstrip())
    return "\n".join(lines) + "\n"


def to_yaml(candidates: Iterable[Candidate], taxonomy: Taxonomy) -> str:
    """Rules stubs for the candidates with a proposed parent, one YAML document per family, ready to
    paste and edit; the names that fit no family are listed in a closing comment, without stubs."""
    groups: dict[str, list[Candidate]] = {}
    unplaced: list[Candidate] = []
    for c in candidates:
        if c.parent:
            groups.setdefault(taxonomy.concepts[c.parent].families[0], []).append(c)
        else:
            unplaced.append(c)
    lines = [
        "# Concepts suggested by 'taxonomy suggest'. Paste the entries of each document under 'concepts:'",
        "# in the family's rules file, fill in every TODO, then run 'taxonomy rules check' and 'rules test'.",
    ]
    ids = set(taxonomy.concepts)
    for family in sorted(groups):
        concept = taxonomy.concepts[family]
        lines += [
            "---",
            f"# family '{family}' ({concept.label}): paste under 'concepts:' in {_basename(concept.file)}",
            "concepts:",
        ]
        for c in groups[family]:
            lines += _stub(c, _new_id(c.name, ids))
    if unplaced:
        lines += [
            "---",
            "# Names that fit none of the families, so no stub: add them to a family by hand, or start a",
            "# new family file for them.",
        ]
        lines += [f"#   {c.name} ({c.papers} papers; {c.why}){_also(c)}" for c in unplaced]
    return "\n".join(lines) + "\n"


def _also(c: Candidate) -> str:
    return f": {c.long_form}" if c.long_form else ""


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
