"""The assessments routes' rules in the permission matrix (tests/test_permissions.py imports this module)."""
