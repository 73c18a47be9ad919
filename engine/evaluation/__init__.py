"""Service evaluation (服务评价, DB3211/T 1002—2019 clause 6).

Indicators per department, category and month computed from the recorded facts of
the appeal flow (``definitions``, ``indicators``), the periods they cover
(``periods``), scored assessments by third parties and experts
(``assessments``) and exports to XLSX and CSV (``export``).
"""
