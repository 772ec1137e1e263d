"""Clinical records: database models, services per domain, migrations.

Services take ``*, db: Session`` and never commit; the caller (a web request, a CLI command, a
test) owns the transaction. Access to a record always goes through the one helper of its domain
(``get_client_for_user``, ``get_drawing_for_user``), which answers :class:`NotFound` for records of
another clinic.
"""
