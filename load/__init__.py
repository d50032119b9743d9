"""`make load`: SolNet under fifty members at once, on loopback (SECURITY.md, figure R-5).

`run.py` prepares a database of its own with `manage.py load_setup`, starts gunicorn and the
worker as `make run` does, and drives `locustfile.py`'s users; `report.py` turns what they
measured into the tables and the JSON files."""
