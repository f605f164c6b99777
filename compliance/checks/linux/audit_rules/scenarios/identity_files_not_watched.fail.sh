sed -i '/-k identity/d' /etc/audit/rules.d/dengbao.rules
