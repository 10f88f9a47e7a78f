"""Claims a clinic must not print: rules from data/claims.yml and the project's claims.yml."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from brochure.checks.context import CheckContext
from brochure.checks.grammar import SPANISH, Grammar
from brochure.checks.text import Span, spans
from brochure.errors import SourceError
from brochure.problems import Problem
from brochure.source.content import Brochure
from brochure.source.frontmatter import FrontMatter, parse_yaml, read_text
from brochure.source.project import CLAIMS_FILE as PROJECT_FILE
from brochure.source.schema import suggest

LEVELS = ("error", "warning", "off")
RULE_FIELDS = ("id", "phrases", "pattern", "level", "message", "instead", "negatable", "lang")
# A negation up to four words before the phrase, in the same clause, undoes it.
_NEGATION = re.compile(
    r"\b(?:not|no|never|nor|neither|nothing|none|without|cannot|\w+n['’]t)\b"
    r"(?!\s+(?:only|just|doubt|question|wonder)\b)",
    re.IGNORECASE,
)
NEGATION_WORDS = 4
_CLAUSE_BREAK = re.compile(r"[.;:!?,()]|\b(?:and|but|yet|so|or)\b|\n\s*\n", re.IGNORECASE)
# A clause whose subject is negated ("No exosome product is ...") denies all it says.
_NEGATED_SUBJECT = re.compile(
    r"^\s*(?:no|none\s+of\s+the|neither)\s+(?:[\w'’-]+\s+){0,5}?"
    r"(?:is|are|was|were|has|have|had|can|could|will|does|do)\b",
    re.IGNORECASE,
)
_SENTENCE_BREAK = re.compile(r"[.!?]\s|\n\s*\n")
# Reporting what the FDA or the law says is not a claim about the clinic's treatment.
_AUTHORITY = (
    r"(?:the\s+)?(?:U\.?S\.?\s+)?(?:FDA|Food\s+and\s+Drug\s+Administration|federal\s+law|law)"
)
_ATTRIBUTION = re.compile(
    rf"\baccording\s+to\s+{_AUTHORITY}\b|\bunder\s+{_AUTHORITY}(?:\s+rules)?\b"
    rf"|\b{_AUTHORITY}\s+(?:says|said|states|stated|warns|warned|requires|required|explains|"
    r"notes|considers|advises|defines|rules)\b",
    re.IGNORECASE,
)
# A rule stated as a requirement: "must be (reviewed and) approved by the FDA".
_REQUIREMENT = re.compile(
    r"\b(?:must|has\s+to|have\s+to|needs?\s+to)\s+(?:first\s+)?be\s+"
    r"(?:[\w-]+\s+(?:and|or)\s+)?$",
    re.IGNORECASE,
)
_QUOTES = {'"': '"', "“": "”", "‘": "’", "«": "»"}
MENTION_WORDS = 4  # a quote this short around a phrase is a mention ("the word “cure”")

ENGLISH = Grammar(
    _NEGATION, _CLAUSE_BREAK, _NEGATED_SUBJECT, _ATTRIBUTION, _REQUIREMENT, {}, frozenset()
)
# The languages a rule may be written for (`lang:`); a brochure in another language has none.
GRAMMARS = {"en": ENGLISH, "es": SPANISH}


def language(tag: str) -> str:
    """Return the language of a tag without its region: es-US -> es."""
    return str(tag).strip().lower().split("-")[0].split("_")[0]


@dataclass(frozen=True)
class Rule:
    """One kind of risky claim."""

    id: str
    regex: Any  # re.Pattern, or an RE2 pattern for a clinic's own `pattern:`
    level: str
    message: str
    instead: str
    negatable: bool = True
    lang: str = "en"  # the language of the texts it is for (a key of GRAMMARS)


@dataclass(frozen=True)
class Hit:
    """A risky phrase found in a text."""

    rule: Rule
    start: int
    end: int
    phrase: str


def phrase_regex(phrase: str, fold: dict[int, int] | None = None) -> str:
    """Turn a phrase from the data file into a regular expression (for text folded by `fold`)."""
    words = re.split(r"[\s-]+", phrase.strip().translate(fold or {}))
    parts = [re.escape(w.rstrip("*")) + (r"[\w-]*" if w.endswith("*") else "") for w in words]
    return r"(?<![\w-])" + r"[\s-]+".join(parts) + r"(?![\w-])"


class RulesError(SourceError):
    """A claims file that cannot be used, at a line (the reader places it in the file)."""

    def __init__(self, message: str, line: int | None, hint: str) -> None:
        super().__init__(None, message, line=line, hint=hint)


def _read(text: str) -> tuple[list[dict[str, Any]], FrontMatter]:
    try:
        front = parse_yaml(text)
    except SourceError as exc:
        raise RulesError(exc.problem, exc.line, exc.hint) from None
    data = front.data if isinstance(front.data, dict) else {}
    for key in data:
        if key != "rules":
            raise RulesError(
                f"unknown field `{key}`", front.line_of(key), suggest(str(key), ["rules"])
            )
    rules = data.get("rules")
    if not isinstance(rules, list) or not all(isinstance(r, dict) for r in rules):
        raise RulesError(
            "the file must have a `rules:` list",
            1,
            "Start each rule with `- id:`; see the comments in the default file",
        )
    for index, raw in enumerate(rules):
        for key in raw:
            if key not in RULE_FIELDS:
                name = f"`{raw['id']}`" if raw.get("id") else str(index + 1)
                raise RulesError(
                    f"unknown field `{key}` in rule {name}",
                    front.line_of("rules", index, key),
                    suggest(str(key), RULE_FIELDS),
                )
    return rules, front


MAX_PATTERN = 2000  # characters in a clinic's own `pattern:`


def _compile_linear(source: str) -> Any:
    """Compile a clinic's own pattern with RE2, whose matching time grows only with the text
    (Python's `re` can take minutes on a pattern such as `(a+)+$`)."""
    import re2

    options = re2.Options()
    options.case_sensitive = False
    options.log_errors = False
    if len(source) > MAX_PATTERN:
        raise re.error(f"longer than {MAX_PATTERN} characters")
    try:
        return re2.compile(source, options)
    except re2.error as exc:
        detail = exc.args[0].decode() if exc.args and isinstance(exc.args[0], bytes) else exc
        raise re.error(str(detail)) from None


def _lang(raw: dict[str, Any], rule_id: str, line: int | None) -> str:
    """Return the language a rule is for (English when it does not say)."""
    lang = language(raw.get("lang", "en"))
    if lang not in GRAMMARS:
        raise RulesError(
            f"rule `{rule_id}`: lang must be en or es, got {raw.get('lang')!r}",
            line,
            "For example: lang: es (for Spanish brochures)",
        )
    return lang


def _source(raw: dict[str, Any], rule_id: str, line: int | None, grammar: Grammar) -> str:
    """Return the regular expression of a rule: its `pattern:`, or its `phrases:` joined."""
    if raw.get("pattern"):
        return str(raw["pattern"]).translate(grammar.fold)
    if isinstance(raw.get("phrases"), list) and raw["phrases"]:
        return "|".join(phrase_regex(str(p), grammar.fold) for p in raw["phrases"])
    raise RulesError(
        f"rule `{rule_id}` has no `phrases:`",
        line,
        "Add a list of phrases, e.g. phrases: [miracle, miracles]",
    )


def _compile(raw: dict[str, Any], line: int | None, own_pattern: bool = False) -> Rule:
    rule_id = str(raw.get("id", ""))
    level = raw.get("level", "error")
    level = "off" if level is False else level  # YAML reads a bare `off` as false
    if level not in LEVELS:
        raise RulesError(
            f"rule `{rule_id}`: level must be error, warning or off, got {level!r}",
            line,
            "For example: level: warning",
        )
    lang = _lang(raw, rule_id, line)
    source = _source(raw, rule_id, line, GRAMMARS[lang])
    try:
        custom = own_pattern and bool(raw.get("pattern"))
        regex = _compile_linear(source) if custom else re.compile(source, re.IGNORECASE)
    except re.error as exc:
        raise RulesError(
            f"rule `{rule_id}`: bad pattern: {exc}", line, "Use `phrases:` instead of `pattern:`"
        ) from None
    return Rule(
        rule_id,
        regex,
        level,
        str(raw.get("message", "is a risky claim")),
        str(raw.get("instead", "")),
        bool(raw.get("negatable", True)),
        lang,
    )


@cache
def _default_rules() -> tuple[dict[str, Any], ...]:
    text = resources.files("brochure").joinpath("data", PROJECT_FILE).read_text("utf-8")
    return tuple(_read(text)[0])


def _key(raw: dict[str, Any]) -> tuple[str, str]:
    return language(raw.get("lang", "en")), str(raw["id"])


def load_rules(root: Path) -> list[Rule]:
    """Return the default rules, changed and extended by `root/claims.yml` if there is one.

    A rule is known by its `id` and its language: `id: cure` changes the English rule,
    `id: cure` with `lang: es` the Spanish one."""
    merged: dict[tuple[str, str], tuple[dict[str, Any], int | None, bool]] = {
        _key(r): (dict(r), None, False) for r in _default_rules()
    }
    project_file = root / PROJECT_FILE
    if project_file.is_file():
        rules, front = _read(read_text(project_file))
        for index, raw in enumerate(rules):
            line = front.line_of("rules", index)
            if not raw.get("id"):
                raise RulesError(
                    f"rule {index + 1} has no `id`", line, "Give it a short name, e.g. id: miracle"
                )
            base, _, own = merged.get(_key(raw), ({}, None, False))
            if "phrases" in raw:
                base.pop("pattern", None)
            merged[_key(raw)] = ({**base, **raw}, line, own or "pattern" in raw)
    out = []
    for raw, line, own in merged.values():
        rule = _compile(raw, line, own)
        if rule.level != "off":
            out.append(rule)
    return out


def _negated(text: str, start: int, grammar: Grammar = ENGLISH) -> bool:
    """Tell whether the phrase at `start` is denied: a negation up to four words before it
    in the same clause, or a clause whose subject is negated ("No exosome product is ...")."""
    before = text[max(0, start - 80) : start]
    breaks = grammar.clause_break.finditer(before)
    clause = before[max((m.end() for m in breaks), default=0) :]
    if grammar.negated_subject.match(clause):
        return True
    negations = list(grammar.negation.finditer(before))
    if not negations:
        return False
    between = before[negations[-1].end() :]
    reach = 0 if negations[-1].group().lower() in grammar.next_word_only else NEGATION_WORDS
    return not grammar.clause_break.search(between) and len(between.split()) <= reach


def _reported(text: str, start: int, grammar: Grammar = ENGLISH) -> bool:
    """Tell whether the sentence reports a rule rather than makes a claim: it names the FDA
    or the law as its source ("the FDA says", "according to the FDA") or states a requirement
    ("a drug must be approved by the FDA")."""
    before = text[max(0, start - 200) : start]
    sentence = before[max((m.end() for m in _SENTENCE_BREAK.finditer(before)), default=0) :]
    return bool(grammar.attribution.search(sentence) or grammar.requirement.search(sentence))


def _quoted(text: str, start: int, end: int) -> bool:
    """Tell whether the phrase is only mentioned: alone in a short quotation."""
    for opening, closing in _QUOTES.items():
        left = text.rfind(opening, 0, start)
        right = text.find(closing, end)
        if left < 0 or right < 0:
            continue
        if opening == closing:
            inside_quote = text.count(opening, 0, start) % 2 == 1
        else:
            inside_quote = text.rfind(closing, 0, start) < left
        inside = text[left + 1 : right]
        if inside_quote and "\n\n" not in inside and len(inside.split()) <= MENTION_WORDS:
            return True
    return False


def find(text: str, rules: list[Rule], lang: str = "en-US") -> list[Hit]:
    """Return the risky phrases in `text`, written in `lang`, leaving out negated and quoted
    ones. Only the rules for that language apply; the text is matched with its accents
    folded if the language asks for it (the phrase found is shown as written)."""
    lang = language(lang)
    grammar = GRAMMARS.get(lang, ENGLISH)
    folded = text.translate(grammar.fold)
    found = []
    for order, rule in enumerate(r for r in rules if r.lang == lang):
        for match in rule.regex.finditer(folded):
            start, end = match.span()
            if rule.negatable and (
                _negated(folded, start, grammar) or _reported(folded, start, grammar)
            ):
                continue
            if _quoted(text, start, end):
                continue
            found.append((start, order, Hit(rule, start, end, " ".join(text[start:end].split()))))
    hits: list[Hit] = []
    for _, _, hit in sorted(found, key=lambda f: f[:2]):
        if not hits or hit.start >= hits[-1].end:  # one finding per phrase: the first rule's
            hits.append(hit)
    return hits


def problems_in(span: Span, rules: list[Rule], lang: str = "en-US") -> list[Problem]:
    """Return one problem per risky phrase in `span`, a text in the language `lang`."""
    out = []
    for hit in find(span.text, rules, lang):
        line, col = span.place(hit.start)
        out.append(
            Problem(
                span.path,
                line,
                hit.rule.level,  # type: ignore[arg-type]
                f"risky claim “{hit.phrase}”: {hit.rule.message}",
                f"Instead, {hit.rule.instead}" if hit.rule.instead else "",
                col=col,
                code=f"claim/{hit.rule.id}",
            )
        )
    return out


def check_claims(context: CheckContext, brochure: Brochure) -> list[Problem]:
    """Flag risky claims anywhere in a brochure's text."""
    rules = context.claim_rules
    return [p for span in spans(brochure) for p in problems_in(span, rules, brochure.lang)]
