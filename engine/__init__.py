"""Bangban's workflow engine (帮办引擎).

The engine knows BPMN and the platform's domain, never HTTP: it deploys versioned
process definitions, runs instances inside the caller's database transaction, keeps
queryable projections of human tasks, evaluates expressions in a restricted
environment and records the audit trail. The web app (``webapp``) calls its services
and commits once per request.
"""
