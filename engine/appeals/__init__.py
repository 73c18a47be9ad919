"""Appeals (诉求): the enterprise service platform's work orders, clause 5.2.

An appeal is a business record with its own number and query code; its progress
is the instance of the ``appeal`` BPMN process whose business key is that number.
"""
