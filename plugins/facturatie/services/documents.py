JOB_KIND = "facturatie.render_pdfs"


def render_job(session, job):
    raise NotImplementedError
