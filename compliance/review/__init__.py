"""`dengbao review --base REF`: what a merge request's change to the model touches, before it is applied.

`base` materialises the base commit's model beside the working tree; `impact` compares the two
(each host's effective settings per policy topic, the hosts themselves, the waivers) and maps changed
topics to the checks, clauses and roles that read them; `render` writes the Markdown comment and the
GitLab Code Quality report whose entries sit on the changed lines.
"""
