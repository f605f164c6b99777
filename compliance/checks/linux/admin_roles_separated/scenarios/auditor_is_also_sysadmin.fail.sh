useradd -M -s /usr/sbin/nologin -G {{ policy.admin_roles.roles.system_admin.group }},{{ policy.admin_roles.roles.audit_admin.group }} wangwei
