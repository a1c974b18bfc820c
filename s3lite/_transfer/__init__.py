"""Managed transfers (boto3's ``upload_file``, ``download_file``, their ``fileobj`` twins and ``copy``):
the plans are I/O-free (:mod:`.plan`), ``Client`` runs them with threads (:mod:`.sync`) and
``AsyncClient`` with tasks (:mod:`.aio`)."""
