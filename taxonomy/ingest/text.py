"""Turn the text of a title or abstract into plain text: markup removed, whitespace collapsed.

Titles and abstracts arrive with HTML (``<i>``, ``<sub>``, JATS ``<jats:p>`` in Crossref and
OpenAlex records, entities such as ``&amp;``) and LaTeX (``$\\alpha$``, ``\\emph{...}``,
``\\cite{...}``, BibTeX braces and accents such as ``{\\"o}``). :func:`clean` keeps the words and
drops the markup (examples below are written with LaTeX and HTML names):

- HTML: tags of HTML, MathML and JATS (and any ``prefix:name`` tag) are removed, block tags leaving
  a space; a ``<`` that does not open such a tag is text (``$0 < p < 1$`` survives); entities are
  unescaped after the tags are gone.
- LaTeX: math delimiters (``$``, ``$$``, ``\\(``, ``\\)``, ``\\[``, ``\\]``) are dropped and their
  content kept; Greek letters and common symbols become Unicode (``\\alpha`` -> the Greek letter,
  ``\\leq`` -> the less-or-equal sign); formatting commands are dropped and their argument kept (``\\emph{x}`` -> ``x``);
  references (``\\cite``, ``\\ref``, ``\\label``, ``\\footnote`` ...) are dropped with their
  argument; ``\\frac{a}{b}`` -> ``a/b``; accents are composed (``\\"o`` -> o with diaeresis; ``\\v{c}`` and ``{\\v c}`` -> c with caron); any other command
  keeps its name (``\\log`` -> ``log``); unescaped braces are removed.

Markup handling runs only when the text holds ``<``, ``&``, ``\\`` or ``$``, so plain text costs one
scan and a whitespace split.
"""

from __future__ import annotations

import html
import re
import unicodedata

# -- HTML ---------------------------------------------------------------------------------------------

_BLOCK_TAGS = "address|article|blockquote|br|dd|div|dl|dt|figcaption|figure|h[1-6]|hr|li|ol|p|pre|section|table|tbody|td|tfoot|th|thead|title|tr|ul"
_INLINE_TAGS = (
    "a|abbr|b|bdi|bdo|big|cite|code|del|dfn|em|font|i|img|ins|kbd|mark|q|s|samp|small|span|strike|strong|"
    "sub|sup|tt|u|var|math|mi|mn|mo|mrow|ms|mspace|msqrt|mstyle|msub|msubsup|msup|mtext|mfrac|mover|munder|semantics|annotation"
)
_COMMENT = re.compile(r"<!--.*?-->", re.S)
# A namespaced tag (jats:p, mml:mi) or a known HTML/MathML one; the name must end at a word boundary so
# "<projektor>" or "<p<q" stay text.
_BLOCK = re.compile(rf"</?(?:[A-Za-z][\w.-]*:(?:{_BLOCK_TAGS})|(?:{_BLOCK_TAGS}))\b[^<>]*>", re.I)
_INLINE = re.compile(rf"</?(?:[A-Za-z][\w.-]*:[A-Za-z][\w.-]*|(?:{_INLINE_TAGS}))\b[^<>]*>", re.I)


def strip_html(text: str) -> str:
    """Remove HTML/JATS/MathML tags (block tags leave a space) and unescape entities."""
    if "<" in text:
        if "<!--" in text:
            text = _COMMENT.sub(" ", text)
        text = _BLOCK.sub(" ", text)
        text = _INLINE.sub("", text)
    if "&" in text:
        text = html.unescape(text)
    return text


# -- LaTeX --------------------------------------------------------------------------------------------

_GREEK = "alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu nu xi omicron pi rho sigma tau upsilon phi chi psi omega"
# name -> replacement, as "name=text" pairs ("_" is a space in the replacement)
_SYMBOL_PAIRS = """
varepsilon=ε vartheta=ϑ varphi=φ varpi=ϖ varrho=ϱ varsigma=ς ell=ℓ infty=∞ partial=∂ nabla=∇ times=×
cdot=· pm=± mp=∓ div=÷ leq=≤ le=≤ leqslant=≤ geq=≥ ge=≥ geqslant=≥ neq=≠ ne=≠ approx=≈ sim=∼ simeq=≃
equiv=≡ propto=∝ ll=≪ gg=≫ in=∈ notin=∉ ni=∋ subset=⊂ subseteq=⊆ supset=⊃ supseteq=⊇ cup=∪ cap=∩
setminus=∖ emptyset=∅ varnothing=∅ forall=∀ exists=∃ neg=¬ wedge=∧ vee=∨ land=∧ lor=∨ oplus=⊕ otimes=⊗
odot=⊙ circ=∘ ast=* star=⋆ to=→ rightarrow=→ leftarrow=← Rightarrow=⇒ Leftarrow=⇐ leftrightarrow=↔
Leftrightarrow=⇔ mapsto=↦ implies=⇒ iff=⇔ uparrow=↑ downarrow=↓ sum=∑ prod=∏ int=∫ oint=∮ sqrt=√
langle=⟨ rangle=⟩ lfloor=⌊ rfloor=⌋ lceil=⌈ rceil=⌉ vert=| Vert=‖ mid=| parallel=∥ perp=⊥ top=⊤ bot=⊥
prime=′ dagger=† ldots=... dots=... cdots=... vdots=... ddots=... hbar=ℏ aleph=ℵ degree=° textdegree=°
copyright=© textregistered=® texttrademark=™ S=§ P=¶ ss=ß ae=æ AE=Æ oe=œ OE=Œ o=ø O=Ø aa=å AA=Å l=ł L=Ł
i=ı j=ȷ textendash=– textemdash=— textasciitilde=~ euro=€ lbrace={ rbrace=}
quad=_ qquad=_ textquoteleft=' textquoteright=' textquotedblleft=" textquotedblright="
"""  # noqa: RUF001
SYMBOLS: dict[str, str] = {name: chr(0x3B1 + i + (i >= 17)) for i, name in enumerate(_GREEK.split())}
SYMBOLS.update({name.capitalize(): chr(0x391 + i + (i >= 17)) for i, name in enumerate(_GREEK.split())})
SYMBOLS.update(
    (name, text.replace("_", " "))
    for name, _, text in (pair.partition("=") for pair in _SYMBOL_PAIRS.split())
)
# Formatting and spacing commands: dropped, their argument (if any) kept as text.
_DROPPED = """
emph textbf textit texttt textsc textsf textrm textup textnormal textmd textsl underline text mbox hbox fbox
makebox mathrm mathbf mathit mathsf mathtt mathcal mathbb mathfrak mathscr mathnormal boldsymbol bm pmb
operatorname mathop mathbin mathrel overline widetilde widehat tilde hat bar vec dot ddot breve check acute
grave overrightarrow overleftarrow left right big Big bigg Bigg bigl bigr Bigl Bigr biggl biggr middle
displaystyle textstyle scriptstyle limits nolimits rm bf it em sf tt sc sl cal Bbb frak normalfont small
footnotesize scriptsize tiny large Large LARGE huge Huge noindent nonumber notag centering url protect relax
hfill vfill newline linebreak par smallskip medskip bigskip mathstrut strut phantom hphantom vphantom color
textcolor ensuremath xspace mathbbm mathds
"""
DROPPED = frozenset(_DROPPED.split())
_REFERENCES = (
    "cite|citep|citet|citealp|citealt|citeauthor|citeyear|nocite|ref|eqref|autoref|cref|Cref|pageref|"
    "label|footnote|footnotemark|footnotetext|thanks|vspace|hspace|includegraphics|bibliography|"
    "bibliographystyle|href"
)
# \href{url}{text} keeps its text: only its first argument is dropped with it.
_REFERENCE = re.compile(rf"[ \t~]*\\(?:{_REFERENCES})\*?(?:\[[^\]]*\])*\{{[^{{}}]*\}}")
_ESCAPES = {"$": "\ue000", "{": "\ue001", "}": "\ue002", "%": "%", "&": "&", "_": "_", "#": "#"}
_RESTORE = (("\ue000", "$"), ("\ue001", "{"), ("\ue002", "}"))
_ESCAPE = re.compile(r"\\([$%&_#{}])")
_ENVIRONMENT = re.compile(r"\\(?:begin|end)\s*\{[^{}]*\}")
_FRAC = re.compile(r"\\[dt]?frac\s*\{([^{}]*)\}\s*\{([^{}]*)\}")
# accent command -> combining character (composed with its letter by NFC normalisation)
_ACCENTS = dict(
    zip(
        "`'^~=.\"uvHckr",
        "\u0300\u0301\u0302\u0303\u0304\u0307\u0308\u0306\u030c\u030b\u0327\u0328\u030a",
        strict=True,
    )
)
_SYMBOL_ACCENT = re.compile(r"""\\([`'^"~=.])\s*(?:\{\s*(\\?[A-Za-z])\s*\}|(\\?[A-Za-z]))""")
# A letter accent takes its letter in braces (\v{c}) or after white space ({\v c}, as BibTeX writes it).
_LETTER_ACCENT = re.compile(r"\\([uvHckr])(?:\s*\{\s*(\\?[A-Za-z])\s*\}|\s+(\\?[A-Za-z])(?![A-Za-z]))")
_COMMAND = re.compile(r"\\([A-Za-z]+)\*?")
_OTHER = re.compile(r"\\(\\|[,;:! ]|[()\[\]])|\\")
_QUOTES = re.compile(r"``|''")
_TIE = re.compile(r"(?<!\\)~")  # a tie, unless it is the \~ accent command


def _accent(match: re.Match[str]) -> str:
    letter = match.group(2) or match.group(3)
    if letter in ("\\i", "\\j"):
        letter = letter[1]
    return letter + _ACCENTS[match.group(1)]


def _command(match: re.Match[str]) -> str:
    name = match.group(1)
    symbol = SYMBOLS.get(name)
    if symbol is not None:
        return symbol
    return "" if name in DROPPED else name


def _other(match: re.Match[str]) -> str:
    # "\\" and the spacing commands become a space; math delimiters \( \) \[ \] and a lone backslash vanish.
    sign = match.group(1)
    return " " if sign is not None and sign in "\\,;:! " else ""


def strip_latex(text: str) -> str:
    """Remove LaTeX markup and keep the text: ``$\\alpha$`` -> alpha as a Greek letter, ``\\emph{x}`` -> ``x``."""
    if "\\" in text:
        text = _ESCAPE.sub(lambda m: _ESCAPES[m.group(1)], text)
        if "{" in text:
            text = _REFERENCE.sub("", text)
            text = _ENVIRONMENT.sub(" ", text)
            for _ in range(3):  # innermost first: \frac{\frac{a}{b}}{c}
                text, found = _FRAC.subn(r"\1/\2", text)
                if not found:
                    break
        text = _SYMBOL_ACCENT.sub(_accent, text)
        text = _LETTER_ACCENT.sub(_accent, text)
        text = _COMMAND.sub(_command, text)
        text = _OTHER.sub(_other, text)
        text = unicodedata.normalize("NFC", text)
    if "$" in text:
        text = text.replace("$", "")
    if "{" in text or "}" in text:
        text = text.replace("{", "").replace("}", "")
    if "`" in text or "''" in text:
        text = _QUOTES.sub('"', text)
    for placeholder, sign in _RESTORE:
        if placeholder in text:
            text = text.replace(placeholder, sign)
    return text


# -- entry point --------------------------------------------------------------------------------------


def collapse(text: str) -> str:
    """Whitespace runs as single spaces, none at the ends: ``" ".join(text.split())``, fast when already so."""
    # isprintable() is False for every character str.split() treats as white space except " ".
    if text.isprintable() and "  " not in text and text[:1] != " " and text[-1:] != " ":
        return text
    return " ".join(text.split())


#: TeX's dashes between two words or numbers: "--" an en dash, "---" an em dash.
_TEX_DASH = re.compile(r"(?<=\w)-{2,3}(?=\w)")


def tex_dashes(text: str) -> str:
    """``Kolmogorov--Arnold`` and ``2019--2021`` with an en dash, ``yes---no`` with an em dash."""
    if "--" not in text:
        return text
    return _TEX_DASH.sub(lambda m: "\u2013" if len(m.group()) == 2 else "\u2014", text)


def clean(text: str) -> str:
    """Plain text: HTML and LaTeX markup removed (only when present), TeX dashes between words
    as dashes, whitespace collapsed."""
    if "<" in text or "&" in text:
        text = strip_html(text)
    if "\\" in text or "$" in text:
        text = strip_latex(text)
    return collapse(tex_dashes(text))


def clean_bibtex(text: str) -> str:
    """Plain text from a BibTeX value: LaTeX always interpreted, ``~`` a space, braces removed."""
    if "~" in text:
        text = _TIE.sub(" ", text)
    return collapse(tex_dashes(strip_latex(text)))
