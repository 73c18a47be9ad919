"""The timer service (定时服务): APScheduler runs the engine's timer sweep.

In development ``bangban run`` embeds it in the web process; in production it
runs as its own process (``bangban timers run``), as many as wanted: the sweep
locks each instance it works on, so no timer fires twice. ``bangban timers
run-once`` sweeps once and exits, for cron and for tests.

The same scheduler runs the SMS delivery job (``engine.sms_delivery``): texts
of the notification outbox, with retries; ``bangban sms run-once`` runs it once.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.base import BaseScheduler
from apscheduler.schedulers.blocking import BlockingScheduler
from flask import Flask
from sqlalchemy.orm import sessionmaker

from engine import sms, sms_delivery, timers
from engine.clock import SHANGHAI, now
from engine.db import refresh_statistics
from webapp.extensions import db, runtime

logger = logging.getLogger(__name__)

JOB_ID = "bangban-timer-sweep"
SMS_JOB_ID = "bangban-sms-delivery"
STATISTICS_JOB_ID = "bangban-sqlite-statistics"


def sweep_once(app: Flask) -> timers.SweepResult:
    """One sweep of due timers, in the app's database."""
    with app.app_context():
        sessions = sessionmaker(db.engine)
        return timers.sweep(sessions, runtime())


def deliver_sms_once(app: Flask) -> sms_delivery.DeliveryResult:
    """One run of SMS delivery over the app's outbox, with its configured sender."""
    config = app.config
    with app.app_context():
        sessions = sessionmaker(db.engine)
        return sms_delivery.deliver_due(
            sessions,
            sms.sender_from_settings(config),
            max_attempts=config["BANGBAN_SMS_MAX_ATTEMPTS"],
            base_delay=timedelta(seconds=config["BANGBAN_SMS_RETRY_SECONDS"]),
        )


def refresh_statistics_once(app: Flask) -> None:
    """Refresh the SQLite planner's statistics (nothing on PostgreSQL)."""
    with app.app_context():
        refresh_statistics(db.engine)


def make_scheduler(app: Flask, *, blocking: bool = False) -> BaseScheduler:
    """A scheduler with the sweep job, every ``BANGBAN_TIMER_INTERVAL`` seconds,
    and the SMS delivery job, every ``BANGBAN_SMS_INTERVAL`` seconds; on SQLite
    also a nightly refresh of the planner's statistics, which the evaluation
    reports need to stay fast.

    ``max_instances=1`` and ``coalesce`` keep a slow sweep from overlapping the
    next one; the first sweep runs at once, catching up on timers that fell due
    while the service was down.
    """
    scheduler_class = BlockingScheduler if blocking else BackgroundScheduler
    scheduler = scheduler_class(timezone=SHANGHAI)
    scheduler.add_job(
        sweep_once,
        "interval",
        args=[app],
        seconds=app.config["BANGBAN_TIMER_INTERVAL"],
        id=JOB_ID,
        name="fire due BPMN timers",
        max_instances=1,
        coalesce=True,
        next_run_time=now(),
        replace_existing=True,
    )
    scheduler.add_job(
        deliver_sms_once,
        "interval",
        args=[app],
        seconds=app.config["BANGBAN_SMS_INTERVAL"],
        id=SMS_JOB_ID,
        name="text due SMS notices",
        max_instances=1,
        coalesce=True,
        next_run_time=now(),
        replace_existing=True,
    )
    with app.app_context():
        sqlite = db.engine.dialect.name == "sqlite"
    if sqlite:
        scheduler.add_job(
            refresh_statistics_once,
            "cron",
            args=[app],
            hour=3,
            id=STATISTICS_JOB_ID,
            name="refresh SQLite planner statistics",
            coalesce=True,
            replace_existing=True,
        )
    return scheduler
