"""Survey answers under load: 1,000 anonymous answers from 64 concurrent clients
against a real ``grassroots serve``, each counted exactly once.

A fresh store holds one published survey (a choice, a rating, a number). 64 clients,
each with its own connection, send 1,000 answers between them, each from a new device
(no device cookie kept), so every answer must be taken. Then the read model's own
query (``survey_results``) and the event store are asked how many there are: both
must say 1,000, and each option's count must be what was sent.

    python benchmarks/survey_answers.py                  # SQLite
    GRASSROOTS_TEST_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/test \\
        python benchmarks/survey_answers.py --postgres   # PostgreSQL
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
import uuid
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from uuid import UUID

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.figures import figure  # noqa: E402
from tests.e2e.serving import free_port, running_server  # noqa: E402
from tests.integration.builders import build_world  # noqa: E402

from grassroots.bootstrap import build_application, sqlalchemy_url  # noqa: E402
from grassroots.domain.survey import Audience, Question, QuestionKind  # noqa: E402
from grassroots.migrating import upgrade  # noqa: E402
from grassroots.projections.database import create_read_engine  # noqa: E402
from grassroots.projections.survey_results import survey_results  # noqa: E402
from grassroots.settings import Settings  # noqa: E402

QUESTIONS = [
    Question(
        "", "最常参加哪类活动？", QuestionKind.SINGLE_CHOICE, options=("环保", "助老", "文艺")
    ),
    Question("", "满意度", QuestionKind.RATING),
    Question("", "每月几次", QuestionKind.NUMBER, False, (), 0, 30),
]


def _survey(env: dict[str, str]) -> UUID:
    settings = Settings.from_env(env)
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    upgrade(settings.database_url, schema=settings.database_schema)
    app = build_application(settings)
    try:
        world = build_world(app)
        now = datetime.now(UTC)
        survey_id = app.design_survey(
            title="青年需求调研",
            intro="",
            org_unit_id=world.township,
            audience=Audience.ANYONE_WITH_LINK,
            opens_at=now - timedelta(minutes=1),
            closes_at=now + timedelta(days=1),
            questions=QUESTIONS,
            designed_by=uuid.uuid4(),
        )
        app.publish_survey(survey_id, published_by=uuid.uuid4())
        return survey_id
    finally:
        app.close()


async def _drive(port: int, survey_id: UUID, answers: int, clients: int) -> list[float]:
    path = f"/api/v1/surveys/{survey_id}/anonymous-answers"
    queue: asyncio.Queue[int] = asyncio.Queue()
    for n in range(answers):
        queue.put_nowait(n)
    times: list[float] = []

    async def client() -> None:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=60) as http:
            while not queue.empty():
                n = queue.get_nowait()
                http.cookies.clear()  # a new device each time
                body = {"answers": {"q1": n % 3, "q2": 1 + n % 5, "q3": n % 31}}
                started = time.perf_counter()
                answer = await http.post(path, json=body)
                times.append(time.perf_counter() - started)
                assert answer.status_code == 200, answer.text

    await asyncio.gather(*(client() for _ in range(clients)))
    return times


def _run(env: dict[str, str], workdir: Path, port: int, answers: int, clients: int) -> None:
    survey_id = _survey(env)
    settings = Settings.from_env(env)
    with running_server(port, env, workdir):
        started = time.perf_counter()
        times = asyncio.run(_drive(port, survey_id, answers, clients))
        elapsed = time.perf_counter() - started
        engine = create_read_engine(
            sqlalchemy_url(settings.database_url), schema=settings.database_schema
        )
        # The server's own read side applies the answers; wait (bounded) for it.
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            with engine.connect() as conn:
                if survey_results(conn, survey_id, 1).answers >= answers:
                    break
            time.sleep(0.2)
    app = build_application(settings)
    try:
        with engine.connect() as conn:
            results = survey_results(conn, survey_id, 1)
        stored = sum(
            1
            for n in app.recorder.select_notifications(start=1, limit=1_000_000)
            if n.topic.endswith("SurveyAnswer.Given")
        )
    finally:
        app.close()
        engine.dispose()
    sent = Counter(n % 3 for n in range(answers))
    counted = [o.count for o in results.questions[0].options]
    print(f"answers sent: {answers} by {clients} concurrent clients in {elapsed:.2f} s")
    p50 = statistics.median(times) * 1000
    p95 = statistics.quantiles(times, n=20)[18] * 1000
    print(f"  {answers / elapsed:.0f} answers/s; per answer p50 {p50:.1f} ms, p95 {p95:.1f} ms")
    print(f"  SurveyAnswer.Given events in the store: {stored}")
    print(f"  answers counted by the read model: {results.answers}")
    print(f"  per option sent {[sent[i] for i in range(3)]}, counted {counted}")
    once = results.answers == answers == stored and counted == [sent[i] for i in range(3)]
    print("  every answer counted exactly once" if once else "  MISMATCH")
    figure(
        f"{answers} survey answers from {clients} clients, "
        f"{'PostgreSQL' if settings.database_url.startswith('postgres') else 'SQLite'}",
        f"{answers / elapsed:.0f}/s, p50 {p50:.0f} ms; {results.answers} counted",
        "each counted once",
        once,
    )
    if not once:
        raise SystemExit(1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--answers", type=int, default=1000)
    parser.add_argument("--clients", type=int, default=64)
    parser.add_argument("--postgres", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        port = free_port()
        env = {k: v for k, v in os.environ.items() if not k.startswith("GRASSROOTS_")}
        env.update(
            {
                "GRASSROOTS_PORT": str(port),
                "GRASSROOTS_DATA_DIR": str(workdir / "var"),
                "GRASSROOTS_SECRET_KEY": "survey-" + "s" * 48,
                "GRASSROOTS_RATE_DEFAULT": "100000/60",
                "GRASSROOTS_RATE_SURVEY_ANSWER": "100000/60",
                "GRASSROOTS_RATE_HEALTH": "100000/60",
            }
        )
        schema = None
        if args.postgres:
            import psycopg

            url = os.environ["GRASSROOTS_TEST_DATABASE_URL"]
            schema = f"survey_{uuid.uuid4().hex[:10]}"
            with psycopg.connect(url, autocommit=True) as conn:
                conn.execute(f'CREATE SCHEMA "{schema}"')
            env.update({"GRASSROOTS_DATABASE_URL": url, "GRASSROOTS_DATABASE_SCHEMA": schema})
        try:
            _run(env, workdir, port, args.answers, args.clients)
        finally:
            if schema is not None:
                with psycopg.connect(url, autocommit=True) as conn:
                    conn.execute(f'DROP SCHEMA "{schema}" CASCADE')


if __name__ == "__main__":
    main()
