# Convenience aliases; the scripts are the real entry points (they need no make).
.PHONY: scan test lint lab-up lab-down bench

scan:
	bash scripts/scan

test:
	bash scripts/test

lint:
	bash scripts/lint

lab-up:
	.venv/bin/dengbao lab up

lab-down:
	.venv/bin/dengbao lab down

bench:
	.venv/bin/python bench/lab_startup.py
