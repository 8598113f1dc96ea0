"""The parts of the input stage one at a time: text cleaning, dates, ids, detection, readers' corners."""

from __future__ import annotations

import hashlib
import sqlite3
import tracemalloc
from collections.abc import Iterator
from pathlib import Path

import orjson
import pytest

from taxonomy import ingest
from taxonomy.errors import InputError, UsageError
from taxonomy.ingest.dates import parse_date
from taxonomy.ingest.dedupe import TABLES, Keys, Seen
from taxonomy.ingest.detect import detect, suffix
from taxonomy.ingest.ids import norm_arxiv, norm_doi, norm_source_id, paper_id, title_key
from taxonomy.ingest.jsonl import _Scanner
from taxonomy.ingest.record import split_authors
from taxonomy.ingest.text import clean, clean_bibtex
from taxonomy.ingest.values import rebuild_abstract
from taxonomy.models import Paper, Reject


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _papers(path: Path, **options: object) -> list[Paper]:
    items = list(ingest.read([path], **options))  # type: ignore[arg-type]
    assert all(isinstance(i, Paper) for i in items), items
    return [i for i in items if isinstance(i, Paper)]


# -- text -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "plain"),
    [
        ("  many\n\tspaces \u00a0 here ", "many spaces here"),
        ("$\\alpha$-divergence and $\\beta$-VAE", "\u03b1-divergence and \u03b2-VAE"),
        ("\\emph{sparse} and \\textbf{fast} and \\textit{\\textsc{nested}}", "sparse and fast and nested"),
        ("as shown in~\\cite{vaswani2017attention}, \\citep[p.~3]{x} works", "as shown in, works"),
        ("a $\\frac{1}{2}$ rate and $O(\\sqrt{n})$ steps", "a 1/2 rate and O(\u221an) steps"),
        ("$\\mathbb{R}^d$ with $\\epsilon \\leq 0.1$", "R^d with \u03b5 \u2264 0.1"),
        ("Sch{\\\"o}lkopf and G\\'{e}ron, Erd\\H{o}s", "Sch\u00f6lkopf and G\u00e9ron, Erd\u0151s"),
        ("costs \\$5 for 10\\% of \\{a, b\\}", "costs $5 for 10% of {a, b}"),
        ("<p>The <i>H<sub>2</sub>O</i> model</p><p>Second</p>", "The H2O model Second"),
        ("<jats:p>Deep <jats:italic>nets</jats:italic></jats:p>", "Deep nets"),
        ("Tom &amp; Jerry &lt;3 &#8212; ok", "Tom & Jerry <3 \u2014 ok"),
        (
            "$0 < p < 1$ and <projektor> and <human, action> pairs",
            "0 < p < 1 and <projektor> and <human, action> pairs",
        ),
        ("\\begin{itemize} \\item one \\end{itemize}", "item one"),
        ("no markup at all", "no markup at all"),
        ("``quoted'' text \\log n", '"quoted" text log n'),
        # TeX dashes between words or numbers; a dash set off by spaces stays as written
        ("Kolmogorov--Arnold, 2019--2021, yes---no", "Kolmogorov\u2013Arnold, 2019\u20132021, yes\u2014no"),
        ("a -- b and --flag", "a -- b and --flag"),
    ],
)
def test_clean(raw: str, plain: str) -> None:
    assert clean(raw) == plain


def test_clean_bibtex_ties_braces_and_accents() -> None:
    assert (
        clean_bibtex("{BERT}: Pre-training~of {D}eep {\\'E}cole\\~na")
        == "BERT: Pre-training of Deep \u00c9cole\u00f1a"
    )


# -- dates ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "iso"),
    [
        ("2024-03-14", "2024-03-14"),
        ("2024-03-14T09:30:00Z", "2024-03-14"),
        ("2024/03/14/", "2024-03-14"),
        ("2024///", "2024"),
        (2024, "2024"),
        ("2024", "2024"),
        ("Mon, 2 Apr 2007 19:18:42 GMT", "2007-04-02"),
        ("14 Mar 2024", "2024-03-14"),
        ("March 2024", "2024-03"),
        ("Mar 14, 2024", "2024-03-14"),
        ("14/03/2024", "2024-03-14"),
        ("03/04/2024", "2024"),  # day and month cannot be told apart
        ("2023-02-30", "2023-02"),  # no such day
        ({"date-parts": [[2022, 11]]}, "2022-11"),
        ("soon", None),
        ("", None),
        (None, None),
        (True, None),
        (42, None),
    ],
)
def test_parse_date(value: object, iso: str | None) -> None:
    assert parse_date(value) == iso


def test_bibtex_year_and_month(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        "a.bib",
        "@article{k, title={T}, year={2021}, month=sep}\n@article{j, title={U}, year=2020, month={11}}",
    )
    assert [p.date for p in _papers(path)] == ["2021-09", "2020-11"]


# -- ids ------------------------------------------------------------------------------------------------


def test_id_normalisation() -> None:
    assert norm_doi("https://doi.org/10.1145/ABC.1") == "10.1145/abc.1"
    assert norm_doi("doi: 10.1145/abc.1") == "10.1145/abc.1"
    assert norm_doi("not a doi") is None
    assert norm_arxiv("http://arxiv.org/abs/2401.01234v3") == "2401.01234"
    assert norm_arxiv("arXiv:hep-th/9901001v2") == "hep-th/9901001"
    assert norm_arxiv("https://arxiv.org/pdf/2401.01234.pdf") == "2401.01234"
    assert norm_source_id("https://openalex.org/W2741809807") == "openalex:W2741809807"
    assert norm_source_id("10.48550/arXiv.2401.01234") == "arxiv:2401.01234"
    assert norm_source_id("P-17") == "P-17"


def test_id_precedence() -> None:
    title = "Attention Is All You Need"
    assert paper_id(title, doi="10.1/x", arxiv="1706.03762", source_id="s2:abc") == "doi:10.1/x"
    assert paper_id(title, arxiv="1706.03762", source_id="s2:abc") == "arxiv:1706.03762"
    assert paper_id(title, source_id="s2:abc") == "s2:abc"
    assert paper_id(title, doi="10.1/x", explicit="row-7") == "row-7"
    assert (
        paper_id(title)
        == paper_id("attention is all you need!")
        == "title:" + _sha1_16("attentionisallyouneed")
    )
    assert title_key("Réseaux: de Neurones!") == "réseauxdeneurones"


def _sha1_16(text: str) -> str:
    return hashlib.sha1(text.encode()).hexdigest()[:16]


def test_arxiv_id_from_a_google_scholar_journal(tmp_path: Path) -> None:
    path = _write(
        tmp_path, "gs.bib", "@article{k, title={T}, journal={arXiv preprint arXiv:2401.01234}, year={2024}}"
    )
    (paper,) = _papers(path)
    assert (paper.id, paper.venue) == ("arxiv:2401.01234", "arXiv preprint arXiv:2401.01234")


# -- authors and field names ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "names"),
    [
        ("Ada Lovelace; Alan Turing", ("Ada Lovelace", "Alan Turing")),
        ("Lovelace, Ada and Turing, Alan", ("Ada Lovelace", "Alan Turing")),
        ("Ada Lovelace, Alan Turing and Grace Hopper", ("Ada Lovelace", "Alan Turing", "Grace Hopper")),
        ("Ada Lovelace, Alan Turing, and Grace Hopper", ("Ada Lovelace", "Alan Turing", "Grace Hopper")),
        ("Lovelace, Ada; Turing, Jr., Alan", ("Ada Lovelace", "Alan Turing Jr.")),
    ],
)
def test_split_authors(text: str, names: tuple[str, ...]) -> None:
    assert split_authors(text) == names


def test_json_field_names_and_dotted_paths(tmp_path: Path) -> None:
    record = {
        "meta": {"heading": "Nested Title"},
        "body": "Text.",
        "when": "2020-05",
        "key": "K-1",
        "doi": "10.1234/z",
    }
    path = _write(tmp_path, "a.jsonl", orjson.dumps(record).decode() + "\n")
    fields = ingest.FieldNames(title="meta.heading", abstract="body", date="when", id="key")
    (paper,) = _papers(path, fields=fields)
    assert (paper.id, paper.title, paper.abstract, paper.date) == ("K-1", "Nested Title", "Text.", "2020-05")


def test_json_field_that_is_absent_from_a_record_makes_it_a_reject(tmp_path: Path) -> None:
    path = _write(tmp_path, "a.jsonl", '{"title": "T"}\n{"heading": "H"}\n')
    first, second = ingest.read([path], fields=ingest.FieldNames(title="heading"))
    assert isinstance(first, Reject) and first.reason == "missing title (no field 'heading')"
    assert isinstance(second, Paper) and second.title == "H"


def test_json_field_that_no_record_has_is_an_error(tmp_path: Path) -> None:
    path = _write(tmp_path, "a.jsonl", '{"title": "T", "text": "A."}\n{"title": "U"}\n')
    with pytest.raises(InputError) as caught:
        list(ingest.read([path], fields=ingest.FieldNames(title="heading")))
    assert str(caught.value) == (
        f"{path}: no field 'heading' for --title-field in any of its 2 records; fields: title, text"
    )


def test_csv_header_names_are_matched_loosely(tmp_path: Path) -> None:
    path = _write(tmp_path, "scopus.csv", "Authors,Article Title,Year,Source title,DOI,Author Keywords\n")
    with path.open("a", encoding="utf-8") as out:
        out.write('"Lovelace, A.; Turing, A.",Engines,1843,Notes,10.1234/AB,engines; notes\n')
    (paper,) = _papers(path)
    assert paper == Paper(
        id="doi:10.1234/ab", title="Engines", date="1843", authors=("A. Lovelace", "A. Turing"),
        keywords=("engines", "notes"), venue="Notes", doi="10.1234/ab",
    )  # fmt: skip


def test_openalex_inverted_index_with_odd_values() -> None:
    index = {"world": [1], "hello": [0], "again": [3, "x"], "bad": "not a list", "!": [2]}
    assert rebuild_abstract(index) == "hello world ! again"
    assert rebuild_abstract({"far": [10**12], "near": [0]}) == "near far"  # no list of 10^12 slots
    assert rebuild_abstract(None) == ""


def test_arxiv_api_error_entry_is_a_reject(tmp_path: Path) -> None:
    feed = (
        '<feed xmlns="http://www.w3.org/2005/Atom"><entry><id>http://arxiv.org/api/errors#incorrect_id_format</id>'
        "<title>Error</title><summary>incorrect id format for 1234.12345</summary></entry></feed>"
    )
    (item,) = ingest.read([_write(tmp_path, "q.atom", feed)])
    assert isinstance(item, Reject) and item.reason == "arXiv API error: incorrect id format for 1234.12345"


# -- detection ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "head", "fmt"),
    [
        ("a.jsonl.gz", b"", "jsonl"),
        ("a.ndjson", b"", "jsonl"),
        ("a.json", b'{"title": "x"}\n{"title": "y"}\n', "jsonl"),
        ("a.json", b'{\n  "data": []\n}\n', "json"),
        ("a.json", b"[{}]", "json"),
        ("a.CSV", b"", "csv"),
        ("a.tab", b"", "tsv"),
        ("a.atom", b"", "atom"),
        ("a.bibtex", b"", "bibtex"),
        ("a.txt", b"TY  - JOUR\r\n", "ris"),
        ("a.txt", b"\xef\xbb\xbf  @article{k,", "bibtex"),
        ("a.txt", b"% comment\n\n@misc{k,", "bibtex"),
        ("-", b"<?xml version='1.0'?><feed/>", "atom"),
        ("-", b"Title\tAbstract\n", "tsv"),
        ("-", b"id,title,year\n", "csv"),
        ("-", b"new\n\nSome Title\n", "listing"),
        ("data", b"   \n[", "json"),
    ],
)
def test_detect(name: str, head: bytes, fmt: str) -> None:
    assert detect(name, head) == fmt


def test_suffix() -> None:
    assert suffix("dir.v2/papers.jsonl.gz") == ".jsonl"
    assert suffix("dir.v2/papers") == ""
    assert suffix(".bashrc") == ""


# -- listing text ---------------------------------------------------------------------------------------

_ABSTRACT = (
    "We study a problem at length and propose a method that improves results on three benchmarks. " * 4
)


def test_listing_title_without_abstract_is_a_paper(tmp_path: Path) -> None:
    text = f"new\n\nMar 14\n\nFirst Paper\n\n{_ABSTRACT}\n\nA Title Alone\n\nThird Paper\n\n{_ABSTRACT}\n"
    papers = _papers(_write(tmp_path, "l.txt", text))
    assert [(p.title, bool(p.abstract)) for p in papers] == [
        ("First Paper", True),
        ("A Title Alone", False),
        ("Third Paper", True),
    ]
    assert [p.source.rsplit(":", 1)[1] for p in papers] == ["5", "9", "11"]


def test_listing_wrapped_abstract_and_glued_title(tmp_path: Path) -> None:
    wrapped = _ABSTRACT.replace("three ", "three\n")
    text = f"Glued Title\n{wrapped}\n\nSecond Title\n\n{wrapped}"
    papers = _papers(_write(tmp_path, "l.txt", text))
    assert [p.title for p in papers] == ["Glued Title", "Second Title"]
    assert all(p.abstract == " ".join(_ABSTRACT.split()) for p in papers)


def test_listing_abstract_without_title_is_a_reject(tmp_path: Path) -> None:
    text = f"Title\n\n{_ABSTRACT}\n\n{_ABSTRACT}\n"
    items = list(ingest.read([_write(tmp_path, "l.txt", text)], dedupe=False))
    assert [type(i).__name__ for i in items] == ["Paper", "Reject"]
    assert isinstance(items[1], Reject) and (items[1].line, items[1].reason) == (
        5,
        "abstract without a title",
    )


def test_listing_of_titles_only_has_no_header(tmp_path: Path) -> None:
    titles = [f"Paper number {i}" for i in range(20)]
    assert [p.title for p in _papers(_write(tmp_path, "l.txt", "\n\n".join(titles)))] == titles


# -- streaming ------------------------------------------------------------------------------------------


def _chunks(text: str, size: int) -> Iterator[str]:
    for start in range(0, len(text), size):
        yield text[start : start + size]


@pytest.mark.parametrize("size", [1, 2, 3, 7, 64])
def test_array_scanner_across_chunk_boundaries(size: int) -> None:
    text = '[\n {"a": "x\\"]}", "b": [1, {"c": "}"}]},\n "str\\\\", 12.5e3 ,\n\n {"t": "\\u00e9"} ]'
    scanner = _Scanner(_chunks(text, size), "x.json")
    assert scanner.first() == "["
    items = list(scanner.array_items())
    assert [(line, orjson.loads(body), problem) for line, body, problem in items] == [
        (2, {"a": 'x"]}', "b": [1, {"c": "}"}]}, ""),
        (3, "str\\", ""),
        (3, 12500.0, ""),
        (5, {"t": "\u00e9"}, ""),
    ]


def test_big_json_array_is_streamed(tmp_path: Path) -> None:
    path = tmp_path / "big.json"
    with path.open("w") as out:
        out.write("[\n")
        out.write(
            ",\n".join(
                orjson.dumps({"title": f"Paper {i}", "abstract": "x" * 1100}).decode() for i in range(20_000)
            )
        )
        out.write("\n]\n")
    tracemalloc.start()
    count = sum(1 for _ in ingest.read([path], dedupe=False))
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert count == 20_000
    assert path.stat().st_size > 20_000_000
    assert peak < 12_000_000  # a few 1 MiB chunks and buffers, never the 22 MB file


def test_memory_stays_flat_with_dedupe(tmp_path: Path) -> None:
    def peak_for(n: int) -> int:
        path = tmp_path / f"{n}.jsonl"
        path.write_bytes(
            b"".join(orjson.dumps({"title": f"Paper {i}", "abstract": "y" * 600}) + b"\n" for i in range(n))
        )
        tracemalloc.start()
        assert sum(1 for _ in ingest.read([path])) == n
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        return peak

    small, large = peak_for(2_000), peak_for(20_000)
    # Ten times the papers costs the dedupe tables (tens of bytes a paper), not the text (600 bytes).
    assert large - small < 18_000 * 120


def test_seen_grows_and_names_kept_papers() -> None:
    seen = Seen()
    for i in range(20_000):
        assert seen.check(f"id:{i}", f"title{i}") is None
    assert seen.check("id:5", "other") == "id:5"
    assert seen.check("new-id", "title12345") == "id:12345"
    assert seen.check("new-id", "unseen") is None


# -- duplicates by identifier, merged ---------------------------------------------------------------------


def test_a_later_duplicate_gives_the_kept_paper_what_it_lacks(tmp_path: Path) -> None:
    """A Web of Science record without abstract, then the Scopus row of the same DOI with one."""
    wos = _write(
        tmp_path,
        "savedrecs.txt",
        "FN Clarivate Analytics Web of Science\nVR 1.0\nPT J\nTI Echo State Networks\nPY 2004\n"
        "DI 10.5555/ESN.2004.1\nUT WOS:000000000000001\nER\nEF\n",
    )
    scopus = _write(
        tmp_path,
        "scopus.csv",
        "Title,Abstract,Authors,Source title,DOI\n"
        'Echo state networks,Reservoirs of random units.,"Jaeger, Herbert; Haas, Harald",Science,10.5555/esn.2004.1\n',
    )
    records = ingest.read([wos, scopus])
    paper, duplicate = list(records)
    assert isinstance(paper, Paper) and isinstance(duplicate, Reject)
    assert (paper.id, paper.abstract, paper.authors, paper.venue, paper.date) == (
        "doi:10.5555/esn.2004.1",
        "Reservoirs of random units.",
        ("Herbert Jaeger", "Harald Haas"),
        "Science",
        "2004",
    )
    assert (duplicate.source, duplicate.line, duplicate.duplicate_of) == (str(scopus), 2, paper.id)
    assert (records.papers, records.rejects, records.duplicates) == (1, 0, 1)


def test_a_title_id_taken_by_another_work_gets_the_year(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        "editions.jsonl",
        '{"title": "Pattern Recognition", "year": 1990}\n{"title": "Pattern Recognition", "year": 2006}\n'
        '{"title": "Pattern Recognition", "year": 2006, "abstract": "Second edition."}\n',
    )
    items = list(ingest.read([path]))
    first, second, again = items
    assert isinstance(first, Paper) and isinstance(second, Paper) and isinstance(again, Reject)
    assert second.id == first.id + "-2006" and second.abstract == "Second edition."
    assert again.duplicate_of == second.id


def test_dedupe_keys_of_an_older_cache_still_match() -> None:
    """Title rows written before identifiers were kept hold only the id: any paper of that title matches."""
    seen = Seen()
    assert seen.check("doi:10.1/a", "sametitle") is None
    kept, paper_id = seen.check_keys(Keys("doi:10.9/b", "sametitle", "doi:10.9/b", None, "2020"))
    assert kept is not None and (kept.id, paper_id) == ("doi:10.1/a", "doi:10.9/b")


def test_delimiter_must_be_one_character(tmp_path: Path) -> None:
    path = _write(tmp_path, "a.csv", "title\nx\n")
    with pytest.raises(UsageError, match=r"^--delimiter takes one character \(or 'tab'\), not 'ab'$"):
        ingest.read([path], fields=ingest.FieldNames(delimiter="ab"))


def test_another_work_with_a_title_an_earlier_run_kept_gets_its_own_id() -> None:
    earlier = sqlite3.connect(":memory:")
    last_run = Seen()
    assert last_run.check_keys(Keys("title:ab12", "patternrecognition", None, None, "1990")) == (
        None,
        "title:ab12",
    )
    for statement in TABLES:
        earlier.execute(statement)
    earlier.executemany("INSERT INTO seen_ids VALUES (?)", last_run.ids())
    earlier.executemany("INSERT INTO seen_titles VALUES (?, ?)", last_run.titles())
    seen = Seen(earlier)
    assert seen.check_keys(Keys("title:ab12", "patternrecognition", None, None, "2006")) == (
        None,
        "title:ab12-2006",
    )
    kept, _ = seen.check_keys(Keys("title:ab12", "patternrecognition", None, None, "1990"))
    assert kept is not None and (kept.id, kept.seq) == ("title:ab12", None)  # the last run's: not merged


def test_a_reader_closed_half_read_lets_go_of_its_stores(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from taxonomy.ingest import merge

    closed: list[str] = []
    close = merge.Spool.close

    def recording_close(self: merge.Spool) -> None:
        closed.append("spool")
        close(self)

    monkeypatch.setattr(merge.Spool, "close", recording_close)
    path = tmp_path / "papers.jsonl"
    path.write_text(
        "".join(f'{{"id": "p{i}", "title": "Paper number {i}"}}\n' for i in range(3)), encoding="utf-8"
    )
    records = ingest.read([str(path)])
    assert isinstance(next(records), Paper)
    records.close()  # as `taxonomy explain --id` does once it has found its paper
    assert closed == ["spool"]
    with pytest.raises(StopIteration):
        next(records)


def test_the_stores_of_a_reader_close_from_another_thread() -> None:
    import threading

    from taxonomy.ingest import merge

    stores = [merge.Spool(), Seen()]
    failures: list[BaseException] = []

    def close_all() -> None:
        for store in stores:
            try:
                store.close()
            except Exception as error:  # what the test looks for
                failures.append(error)

    worker = threading.Thread(target=close_all)  # as when a half-read reader is freed by another thread
    worker.start()
    worker.join()
    assert failures == []
