JOB_KIND = "facturatie.send_invoices"


def send_job(session, job):
    raise NotImplementedError
