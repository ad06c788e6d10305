"""The competency questions are documented in docs/ and each query file and its question point at each other."""

from __future__ import annotations

import re

from conftest import ROOT

DOC = ROOT / "docs" / "competency-questions.md"
QUERIES = sorted((ROOT / "queries").glob("cq-*.rq"))


def documented() -> dict[str, str]:
    """CQ number -> its section of the document."""
    sections = re.split(r"^### CQ(\d\d) — ", DOC.read_text(encoding="utf-8"), flags=re.M)
    return dict(zip(sections[1::2], sections[2::2]))


def test_every_query_file_has_its_question_in_the_docs_and_links_to_it():
    questions = documented()
    assert len(QUERIES) >= 31
    problems = []
    for query in QUERIES:
        number = query.stem[3:]
        lines = query.read_text(encoding="utf-8").splitlines()
        if number not in questions:
            problems.append(f"{query.name}: no '### CQ{number} — ' section in {DOC.name}")
            continue
        if f"docs/competency-questions.md (CQ{number})" not in lines[1]:
            problems.append(f"{query.name}: line 2 does not point to docs/competency-questions.md (CQ{number})")
        if f"(../queries/{query.name})" not in questions[number]:
            problems.append(f"CQ{number} in {DOC.name} does not link to queries/{query.name}")
    assert not problems, "\n".join(problems)


def test_every_documented_question_has_a_query():
    stems = {q.stem[3:] for q in QUERIES}
    assert sorted(set(documented()) - stems) == []


def test_the_readme_links_the_competency_questions_that_exist():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for target in re.findall(r"\]\(([^)#]+\.md)\)", readme):
        assert (ROOT / target).is_file(), f"README links to {target}, which is not in the repository"
    assert "(docs/competency-questions.md)" in readme
