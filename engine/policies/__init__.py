"""Policy information (政策信息, clause 5.1): policies, notices, interpretations.

Information maintainers (信息维护) write and publish them; enterprises search them
in Chinese and may ask a question about one, which becomes an appeal of the
category 政策咨询 in the ordinary appeal flow.
"""
