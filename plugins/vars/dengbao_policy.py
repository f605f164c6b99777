"""Ansible vars plugin: every host gets `dengbao_policy`, `dengbao_level` and `dengbao_zone`.

The values come from policies/ and the inventory model through compliance.model.host_policy,
the same code the compliance checks use. An invalid model stops the run before any task.
"""

from __future__ import annotations

import functools
from pathlib import Path

from ansible.errors import AnsibleError
from ansible.inventory.host import Host
from ansible.plugins.vars import BaseVarsPlugin

from compliance.model.host_policy import InvalidModel, policy_for_host
from compliance.project import project_root

DOCUMENTATION = """
    name: dengbao_policy
    short_description: Policy settings for each host from policies/ (GB/T 22239-2019 thresholds)
    description:
      - Sets dengbao_policy (every policy topic's settings for the host's level and zone),
        dengbao_level and dengbao_zone. Fails when the model does not validate.
    options:
      stage:
        ini:
          - key: stage
            section: vars_dengbao_policy
        env:
          - name: ANSIBLE_VARS_PLUGIN_STAGE
"""


@functools.lru_cache(maxsize=64)
def _root(path: str) -> Path | None:
    """The checkout whose policies apply to an inventory path (asked once per path and entity)."""
    return project_root(Path(path)) or project_root()


class VarsModule(BaseVarsPlugin):
    REQUIRES_ENABLED = True

    def get_vars(self, loader, path, entities, cache=True):  # noqa: ANN001, ANN201
        super().get_vars(loader, path, entities)
        if not isinstance(entities, list):
            entities = [entities]
        root = _root(str(path))
        if root is None:
            return {}
        found = {}
        for entity in entities:
            if not isinstance(entity, Host):
                continue
            try:
                policy = policy_for_host(root, entity.name, entity.vars)
            except InvalidModel as error:
                raise AnsibleError(f"模型校验失败 / the model does not validate:\n{error}") from error
            found.update(dengbao_policy=policy.settings, dengbao_level=policy.level, dengbao_zone=policy.zone)
        return found
